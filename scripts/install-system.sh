#!/usr/bin/env bash
# System packages the platform's tests need: Chromium (browser tests) and Redis (scaled-out mode).
# PostgreSQL 15 comes with this machine image. Installs only as root and only what is missing.
set -euo pipefail
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
