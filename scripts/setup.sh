#!/bin/sh
# setup.sh  Install what tcp-trace needs on Debian/Ubuntu and put `tcp-trace` on root's PATH.
# Runs before node_modules exist, so it is plain sh (the zx scripts need `npm ci` first).
# Usage (as root): npm run setup
set -eu
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "setup needs root (apt-get, /usr/local/bin): run \`sudo npm run setup\`" >&2
  exit 1
fi

missing=""
command -v bpftrace >/dev/null 2>&1 || [ -x /usr/sbin/bpftrace ] || [ -x /usr/bin/bpftrace ] || missing="$missing bpftrace"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v prlimit >/dev/null 2>&1 || missing="$missing util-linux"
command -v sysctl >/dev/null 2>&1 || missing="$missing procps"
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
chmod +x dist/src/index.js
# /usr/local/bin is on sudo's secure_path, so `sudo tcp-trace` finds it too
ln -sf "$(pwd)/dist/src/index.js" /usr/local/bin/tcp-trace
echo "setup: tcp-trace $(node -p 'require("./package.json").version') -> /usr/local/bin/tcp-trace; bpftrace $(bpftrace --version 2>/dev/null | tr -d '\n')"
