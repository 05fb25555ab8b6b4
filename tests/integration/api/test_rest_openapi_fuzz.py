"""schemathesis over /openapi.json against a real server process: for thousands of
generated requests (every documented endpoint, valid and invalid parameters) no answer is
a 5xx, and every error answer is the documented `{"code": int, "msg": str}` as JSON.

Two passes, each bounded by its examples per operation (a few minutes in all):

- with a real API key: requests reach the key, signature and parameter checks;
  schemathesis cannot sign, so signed ones answer -1022/-1102 and never reach the engine;
- with a logged-in web account's session cookie and CSRF header (the page's way in, see
  docs/accounts.md): nothing is signed, so generated orders, cancels and amends get past
  authentication to the handlers' own checks, and the document's example order reaches
  the engine.

The document declares the parameters' enums (the listed symbols among them) and decimal
patterns, so generated requests are mostly well-formed enough to get past the parser. The
server's rate limits are raised (listing file below): at Binance's 6000 weight a minute
the address would be banned (418) for most of the run and the handlers never reached.
Each pass prints its counts (`-s` shows them).
"""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))
from account_web_client import WebUser, account_server

CLI = Path(sys.executable).with_name("schemathesis")
EXAMPLES = 5  # fuzzed cases per operation and pass, beside the coverage phase's own (CI time)
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"

LISTING = """
[[assets]]
code = "KRW"
precision = 0

[[assets]]
code = "KGLD"
precision = 4

[[assets]]
code = "KSLV"
precision = 4

[[markets]]
symbol = "KGLDKRW"
base = "KGLD"
quote = "KRW"
tick_size = "10"
step_size = "0.1"
min_qty = "0.1"
max_qty = "100000"
min_notional = "5000"

[[markets]]
symbol = "KSLVKRW"
base = "KSLV"
quote = "KRW"
tick_size = "1"
step_size = "1"
min_qty = "1"
max_qty = "10000000"
min_notional = "5000"

[[rate_limits]]
rateLimitType = "REQUEST_WEIGHT"
interval = "MINUTE"
intervalNum = 1
limit = 100000000

[[rate_limits]]
rateLimitType = "ORDERS"
interval = "SECOND"
intervalNum = 10
limit = 100000000

[[rate_limits]]
rateLimitType = "RAW_REQUESTS"
interval = "MINUTE"
intervalNum = 5
limit = 100000000
"""


def _run(base_url: str, name: str, options: list[str]) -> str:
    command = [
        str(CLI), "run", f"{base_url}/openapi.json", "--checks", CHECKS,
        "--max-examples", str(EXAMPLES), "--seed", "1", "--no-color", *options,
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None and counts[1] == counts[2], result.stdout[-2000:]
    print(f"schemathesis, {name}: {counts[1]} cases, 0 failures, {took:.0f} s")
    return result.stdout


@pytest.mark.skipif(shutil.which(str(CLI)) is None, reason="schemathesis is not installed")
def test_no_server_errors_and_binance_error_bodies(tmp_path: Path) -> None:
    listing = tmp_path / "listing.toml"
    listing.write_text(LISTING, encoding="utf-8")
    with account_server(tmp_path / "data", "--config", str(listing)) as server:
        trader = server.user("fuzz", KRW="1000000", KGLD="10")
        web = WebUser(server)
        user_id = web.sign_up("fuzz@example.com")["userId"]
        for asset, amount in (("KRW", "100000000"), ("KGLD", "1000"), ("KSLV", "100000")):
            server.admin("/api/v1/admin/deposits", user_id=user_id, asset=asset, amount=amount)
        assert web.cookie is not None and web.csrf is not None

        _run(server.base_url, "API key", ["--header", f"X-MBX-APIKEY: {trader.api_key}"])
        # Only the session's credentials: schemathesis must not make up an API key, which
        # would take precedence over the cookie.
        _run(
            server.base_url,
            "session cookie",
            [
                "--header", f"Cookie: {web.cookie}",
                "--header", f"X-CSRF-Token: {web.csrf}",
                "--generation-with-security-parameters", "false",
            ],
        )  # fmt: skip
        status, orders = web.call("GET", "/api/v3/allOrders?symbol=KGLDKRW")
        assert status == 200 and orders, orders  # the example order reached the engine
