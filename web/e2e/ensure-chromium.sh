#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the Playwright suite.
# As root it installs the package with apt-get; otherwise it stops and prints the command.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
INSTALL="apt-get update && apt-get install -y chromium"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing Debian's package ($INSTALL)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "error: apt-get installed chromium but $CHROMIUM is still missing" >&2
  exit 1
fi

echo "error: the browser tests need Debian's Chromium at $CHROMIUM." >&2
echo "Install it as root with:" >&2
echo "  $INSTALL" >&2
exit 1
