#!/usr/bin/env bash
# System packages the platform's tests need: Chromium (browser tests), Redis (scaled-out mode)
# and axe-core (accessibility scan).
# PostgreSQL 15 comes with this machine image. Installs only as root and only what is missing.
set -euo pipefail
# axe-core (npm) for the accessibility scan in the browser tests, in a fixed folder they look in.
AXE_DIR=/usr/local/lib/mindbridge-axe
if [ "$(id -u)" -eq 0 ] && command -v npm >/dev/null 2>&1 \
  && [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  echo "installing axe-core into $AXE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4.14.1 >/dev/null \
    || echo "note: axe-core could not be installed; the accessibility scan will be skipped" >&2
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: ${missing[*]} missing; install them (apt-get install ${missing[*]}) for the browser and Redis tests" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
