#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright; Playwright
# cannot download its own browsers here. Install the Debian package when it is missing.
# The pages are also in Korean: without a Hangul font the screenshots would show boxes.
set -u
PACKAGES="chromium fonts-nanum"
missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
dpkg -s fonts-nanum >/dev/null 2>&1 || missing="$missing fonts-nanum"
if [ -z "$missing" ]; then
    exit 0
fi
echo "installing$missing (Debian packages) for the browser tests"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends $PACKAGES \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $PACKAGES; }
