#!/usr/bin/env bash
# ECharts for the statistics charts, from the npm registry (no CDN: closed government networks).
# Vendored into src/govapp/static/vendor/echarts/ with its licence and notice; not committed.
set -euo pipefail
VERSION="${ECHARTS_VERSION:-6.1.0}"
TARGET="src/govapp/static/vendor/echarts"
if [[ -f "$TARGET/echarts.min.js" && "$(cat "$TARGET/VERSION" 2>/dev/null)" == "$VERSION" ]]; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "npm is not installed: the statistics pages show their tables without charts." >&2
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@$VERSION" >/dev/null)
tar -xzf "$work/echarts-$VERSION.tgz" -C "$work" package/dist/echarts.min.js package/LICENSE package/NOTICE
mkdir -p "$TARGET"
cp "$work/package/dist/echarts.min.js" "$work/package/LICENSE" "$work/package/NOTICE" "$TARGET/"
echo "$VERSION" > "$TARGET/VERSION"
echo "ECharts $VERSION vendored into $TARGET"
