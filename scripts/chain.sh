#!/usr/bin/env bash
# Install the chain toolchain: the pinned npm packages of chain/package-lock.json (anvil,
# the embedded EVM node; solc-js and OpenZeppelin, to compile chain/contracts). Installs
# Node.js from Debian when it is missing.
set -euo pipefail
source "$(dirname "$0")/node.sh"
cd "$(dirname "$0")/../chain"
ensure_npm
npm_ci_when_changed
