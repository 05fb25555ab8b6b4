#!/usr/bin/env bash
# Check that the committed contract artifacts (src/assetport/chain/artifacts) are what
# chain/compile.mjs makes of chain/contracts today: compile into a temporary folder and
# compare, file by file. `make contracts` rewrites them in place.
set -euo pipefail
cd "$(dirname "$0")/.."

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
node chain/compile.mjs "$fresh" >/dev/null

stale=0
# Every artifact either side: a contract added, changed or removed is stale.
for name in $( (ls "$fresh"; ls src/assetport/chain/artifacts) | grep '\.json$' | sort -u); do
    if [ ! -f "$fresh/$name" ]; then
        echo "src/assetport/chain/artifacts/$name: no contract in chain/contracts makes it: delete it" >&2
        stale=1
    elif ! cmp -s "$fresh/$name" "src/assetport/chain/artifacts/$name"; then
        echo "src/assetport/chain/artifacts/$name: the committed ABI/bytecode are stale: run \`make contracts\`" >&2
        stale=1
    fi
done
exit "$stale"
