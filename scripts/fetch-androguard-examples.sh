#!/bin/sh
# Unpack Debian's androguard package (its examples/ tree is our APK corpus: real apps and
# 309 signing edge cases) into var/cache/androguard/. Idempotent; needs apt access once.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/var/cache/androguard"
if [ -d "$dest/usr" ]; then
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
cd "$work"
apt-get download androguard >/dev/null
mkdir -p "$dest.tmp"
dpkg -x androguard_*.deb "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "androguard examples unpacked into $dest"
