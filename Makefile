# Assetport developer commands. `make test` and `make run` do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The engine's hot modules, and the gateway's per-order views and parameters, compiled
# with mypyc from the same typed Python (see docs/architecture.md, "Speed"). Without a C
# compiler they run as plain Python.
NATIVE_MODULES := assetport/domain/orders.py \
	assetport/engine/engine.py assetport/engine/context.py assetport/engine/ledger.py \
	assetport/engine/assets.py assetport/engine/holder_gate.py assetport/engine/funds/product.py \
	assetport/engine/spot/order.py assetport/engine/spot/book.py assetport/engine/spot/stops.py \
	assetport/engine/spot/market.py assetport/engine/spot/checks.py assetport/engine/spot/state.py \
	assetport/engine/spot/lifecycle.py assetport/engine/spot/settlement.py assetport/engine/spot/quote_fees.py \
	assetport/engine/spot/matching.py assetport/engine/spot/placing.py \
	assetport/engine/spot/cancels.py assetport/engine/spot/admin.py assetport/engine/spot/product.py \
	assetport/engine/spot/order_list.py assetport/engine/spot/oco.py assetport/engine/spot/order_lists.py \
	assetport/domain/units.py assetport/marketdata/depth.py assetport/api/params.py \
	assetport/views/orders.py assetport/views/levels.py assetport/views/markets.py \
	assetport/api/ratelimit.py assetport/api/render.py \
	assetport/api/ws_frames.py assetport/edge/bounded_json.py assetport/marketdata/time_unit.py
NATIVE_STAMP := src/assetport/.native
# The web pages, bundled from web/ (npm packages pinned by web/package-lock.json).
WEB_STAMP := src/assetport/web/static/BUILT
WEB_SOURCES := $(shell find web/src -type f) web/build.mjs web/package.json web/package-lock.json
# The chain toolchain: anvil, solc-js and OpenZeppelin (pinned by chain/package-lock.json).
CHAIN_STAMP := chain/node_modules/.package-lock.json

.PHONY: run test lint typecheck bench services browser native pure clean web chain contracts contracts-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NATIVE_STAMP): $(STAMP) $(addprefix src/,$(NATIVE_MODULES))
	@echo "compiling the engine and the gateway's hot modules with mypyc"
	@cd src && if ../$(BIN)/mypyc $(NATIVE_MODULES) > ../$(VENV)/mypyc.log 2>&1; then \
		find assetport -name '*.so' -exec touch {} +; \
		echo "compiled: $$(find assetport -name '*.so' ! -name '*__mypyc*' | wc -l) modules"; \
	else \
		echo "mypyc failed (see $(VENV)/mypyc.log): everything runs as plain Python"; \
		find assetport -name '*.so' -delete; \
	fi
	@touch $@

native: $(NATIVE_STAMP)

$(WEB_STAMP): $(WEB_SOURCES)
	@bash scripts/web.sh

web: $(WEB_STAMP)

$(CHAIN_STAMP): chain/package.json chain/package-lock.json
	@bash scripts/chain.sh

chain: $(CHAIN_STAMP)

# The contracts' ABI and bytecode are committed (src/assetport/chain/artifacts): `contracts`
# recompiles them in place; `contracts-check` fails when they differ from chain/contracts.
contracts: $(CHAIN_STAMP)
	node chain/compile.mjs

contracts-check: $(CHAIN_STAMP)
	@bash scripts/contracts.sh

browser:
	@bash scripts/browser.sh

pure:
	find src -name '*.so' -delete
	rm -rf src/build $(NATIVE_STAMP)

run: $(STAMP) $(NATIVE_STAMP) $(WEB_STAMP) $(CHAIN_STAMP)
	$(BIN)/assetport serve --demo --data-dir data --host 127.0.0.1 --port 8000 --por-every 3600

services:
	@bash scripts/services.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports --no-logo --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(NATIVE_STAMP) $(WEB_STAMP) $(CHAIN_STAMP) contracts-check services browser lint typecheck
	$(BIN)/pytest -n 3 --dist loadfile

bench: $(STAMP) $(NATIVE_STAMP)
	$(BIN)/python benchmarks/engine_replay.py --ops 1000000 --seed 42

clean: pure
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis web/node_modules chain/node_modules src/assetport/web/static
