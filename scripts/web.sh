#!/usr/bin/env bash
# Build the web pages: install the pinned npm packages (web/package-lock.json) and bundle
# web/src into src/assetport/web/static. Installs Node.js from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
    echo "installing Node.js and npm (Debian packages)"
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
    fi
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs
echo "web pages built into src/assetport/web/static"
