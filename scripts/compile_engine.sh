#!/usr/bin/env bash
# Compile the engine's hot modules with mypyc into a build folder (experiment helper).
set -euo pipefail
out=${1:-/tmp/mypyc_try}
rm -rf "$out" && mkdir -p "$out" && cp -r src/assetport "$out/"
cd "$out"
"$OLDPWD/.venv/bin/mypyc" assetport/domain/orders.py assetport/engine/engine.py assetport/engine/book.py \
  assetport/engine/ledger.py assetport/engine/market.py assetport/engine/stops.py assetport/engine/checks.py >/dev/null
