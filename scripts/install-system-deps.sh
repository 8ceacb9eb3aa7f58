#!/usr/bin/env bash
# Installs the Debian packages the e2e, integration and SIP tests need. Idempotent: installs only
# what is missing, so a second run is fast and needs no network.
set -euo pipefail

PACKAGES=(chromium postgresql kamailio kamailio-websocket-modules sip-tester xvfb fonts-liberation)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "system deps: all present (${PACKAGES[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "system deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages would start daemons under systemd; tests start their own instances instead.
echo "system deps: done"
