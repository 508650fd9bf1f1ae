#!/usr/bin/env bash
# make e2e needs Debian's Chromium (Playwright's own browser download does not
# work here). Install it when missing and we are root; otherwise say what to do.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "make e2e needs Chromium at $CHROMIUM. Install Debian's package as root:" >&2
echo "    apt-get install -y chromium" >&2
echo "or point CHROMIUM at another Chromium binary." >&2
exit 1
