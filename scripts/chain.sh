#!/usr/bin/env bash
# Install the chain toolchain: the pinned npm packages of chain/package-lock.json (anvil,
# the embedded EVM node; solc-js and OpenZeppelin, to compile chain/contracts). Installs
# Node.js from Debian when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../chain"

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
