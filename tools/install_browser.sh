#!/bin/sh
# Install Debian's Chromium for the browser tests when it is missing.
# Never downloads Playwright's own browsers: the tests launch /usr/bin/chromium.
set -eu
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    echo "install_browser: $CHROMIUM already present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown')); nothing to do"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_browser: $CHROMIUM is missing and this is not root; as root run: apt-get update && apt-get install -y chromium" >&2
    # Under CI a missing browser is an error; elsewhere the browser tests skip.
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    exit 0
fi
echo "install_browser: $CHROMIUM missing; running apt-get update && apt-get install -y chromium"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
echo "install_browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
