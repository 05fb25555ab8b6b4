#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright; Playwright
# cannot download its own browsers here. Install the Debian package when it is missing.
set -u
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
echo "installing Chromium (Debian package) for the browser tests"
if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }
else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
