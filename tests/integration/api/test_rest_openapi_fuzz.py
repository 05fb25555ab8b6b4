"""schemathesis over /openapi.json against a real server process: for thousands of
generated requests (every documented endpoint, valid and invalid parameters) no answer is
a 5xx, and every error answer is the documented `{"code": int, "msg": str}` as JSON.

Signed endpoints get a real API key, so requests reach the signature and parameter checks;
schemathesis cannot sign, so those answer -1022/-1102 and never reach the engine.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from exchange_server import ExchangeServer

CLI = Path(sys.executable).with_name("schemathesis")


@pytest.mark.skipif(shutil.which(str(CLI)) is None, reason="schemathesis is not installed")
def test_no_server_errors_and_binance_error_bodies(tmp_path: Path) -> None:
    with ExchangeServer(tmp_path / "data") as server:
        trader = server.user("fuzz", KRW="1000000", KGLD="10")
        command = [
            str(CLI), "run", f"{server.base_url}/openapi.json",
            "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples", "15", "--seed", "1", "--no-color",
            "--header", f"X-MBX-APIKEY: {trader.api_key}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert " passed" in result.stdout
