#!/usr/bin/env bash
# Build the web pages: install the pinned npm packages (web/package-lock.json) and bundle
# web/src into src/assetport/web/static. Installs Node.js from Debian when it is missing.
set -euo pipefail
source "$(dirname "$0")/node.sh"
cd "$(dirname "$0")/../web"
ensure_npm
npm_ci_when_changed
node build.mjs
echo "web pages built into src/assetport/web/static"
