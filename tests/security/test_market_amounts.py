"""Amounts the ledger cannot record are refused by the engine, with a clear error, before
they can break the journal's snapshots (msgpack and the SQL read model hold 64-bit integers).

An asset's total supply is at most 2**62 - 1 units, so no balance or hold can pass it, and
no order's price or value may either: what one order receives over its life then stays
below 2**63. Before, deposits took the external account below -2**63, after which every
snapshot, `journal replay` and the state hash failed.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from exchange_server import ROOT, ExchangeServer, Trader

MAX_AMOUNT = 2**62 - 1  # domain.units.MAX_AMOUNT, written out: the test runs on old code too
TOO_LARGE = {
    "code": -7006,
    "msg": "Amount too large: the asset's total supply would pass what the ledger can record.",
}


def deposit(server: ExchangeServer, user_id: int, asset: str, amount: str) -> tuple[int, Any]:
    token = (server.data_dir / "admin.token").read_text().strip()
    body = {"user_id": user_id, "asset": asset, "amount": amount}
    return server.request(
        "POST", "/api/v1/admin/deposits",
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )  # fmt: skip


def test_a_deposit_past_the_limit_is_refused_and_the_state_still_snapshots(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ExchangeServer(data_dir) as server:
        rich = server.user("amounts-rich")
        other = server.user("amounts-other", KGLD="100000")
        status, answer = deposit(server, rich.user_id, "KRW", str(MAX_AMOUNT - 3))
        assert status == 200, answer
        assert deposit(server, other.user_id, "KRW", "4") == (400, TOO_LARGE)
        assert deposit(server, other.user_id, "KRW", str(2**63 - 1)) == (400, TOO_LARGE)
        status, answer = deposit(server, other.user_id, "KRW", "3")  # exactly full
        assert status == 200, answer

        # Orders whose price or value passes the limit fail the market's filters.
        status, answer = rich.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
            quantity="1", price=str(MAX_AMOUNT + 7),
        )  # fmt: skip
        assert (status, answer) == (400, {"code": -1013, "msg": "Filter failure: PRICE_FILTER"})
        status, answer = other.post(
            "/api/v3/order", symbol="KGLDKRW", side="SELL", type="LIMIT", timeInForce="GTC",
            quantity="100000", price="100000000000000",
        )  # fmt: skip
        assert (status, answer) == (400, {"code": -1013, "msg": "Filter failure: NOTIONAL"})
        assert other.balance("KGLD") == ("100000.0000", "0.0000")

    replayed = subprocess.run(
        [sys.executable, "-m", "assetport.cli", "journal", "replay", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    assert json.loads(replayed.stdout)["ledger_sums_to_zero"] is True

    with ExchangeServer(data_dir) as server:
        rich, other = (Trader(server, t.user_id, t.api_key, t.secret) for t in (rich, other))
        assert rich.balance("KRW") == (str(MAX_AMOUNT - 3), "0")
        assert other.balance("KRW") == ("3", "0")
