"""A real `assetport serve` process for integration tests, and signed HTTP calls to it.

with ExchangeServer(tmp_path) as server:
    alice = server.user("alice", KRW="1000000")
    alice.post("/api/v3/order", symbol="KGLDKRW", ...)
"""

import contextlib
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def close_leftover_event_loop() -> None:
    """Close the event loop a client library set for this thread and never closed (python-
    binance does): left to the garbage collector, its sockets would warn in whichever test
    happens to run then."""
    import asyncio
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


class Trader:
    """A user with an HMAC key, calling the REST API as a Binance client would."""

    def __init__(self, server: "ExchangeServer", user_id: int, api_key: str, secret: str):
        self.server = server
        self.user_id = user_id
        self.api_key = api_key
        self.secret = secret

    def signed(self, method: str, path: str, **params: Any) -> tuple[int, Any]:
        params.setdefault("timestamp", int(time.time() * 1000))
        query = urllib.parse.urlencode(params)
        signature = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return self.server.request(
            method, f"{path}?{query}&signature={signature}", {"X-MBX-APIKEY": self.api_key}
        )

    def post(self, path: str, **params: Any) -> tuple[int, Any]:
        return self.signed("POST", path, **params)

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return self.signed("GET", path, **params)

    def delete(self, path: str, **params: Any) -> tuple[int, Any]:
        return self.signed("DELETE", path, **params)

    def balance(self, asset: str) -> tuple[str, str]:
        status, account = self.get("/api/v3/account")
        assert status == 200, account
        row = next(b for b in account["balances"] if b["asset"] == asset)
        return row["free"], row["locked"]


@contextlib.contextmanager
def engine_process(tmp_path: Path, *extra: str) -> Iterator[int]:
    """An `assetport engine-serve` process with its command port on a free port (its
    data dir and log under `tmp_path`); yields the port, stops it by SIGTERM and checks it
    exited 0."""
    log_path = tmp_path / "engine.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assetport.cli", "engine-serve",
             "--data-dir", str(tmp_path / "engine"), "--port", "0", *extra],
            stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line, log_path.read_text()
            yield int(json.loads(line)["port"])
        finally:
            process.terminate()
            code = process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()
    assert code == 0, log_path.read_text()


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy, and return that (what another
    process shows a moment later: a gateway following another's orders)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class ExchangeServer:
    def __init__(self, data_dir: Path, *extra_args: str) -> None:
        self.data_dir = data_dir
        self.extra_args = extra_args
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ExchangeServer":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        command = [
            sys.executable, "-m", "assetport.cli", "serve", "--data-dir", str(self.data_dir),
            "--port", "0", *self.extra_args,
        ]  # fmt: skip
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        assert self.process.stdout is not None
        # Whatever interrupts the start (no ready line, a test timeout, Ctrl-C), the process
        # must not outlive the test: `__exit__` never runs when `__enter__` fails.
        try:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the server did not start: {self.log_path.read_text()}")
            self.port = json.loads(line)["port"]
        except BaseException:
            self.process.kill()
            self.stop()
            raise

    def stop(self) -> int:
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None
        return code

    def request(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, Any]:  # fmt: skip
        request = urllib.request.Request(
            self.base_url + path_and_query, data=body, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def admin(self, path: str, **body: Any) -> Any:
        token = (self.data_dir / "admin.token").read_text().strip()
        status, answer = self.request(
            "POST",
            path,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )
        assert status == 200, answer
        return answer

    def user(self, name: str, **funds: str) -> Trader:
        """A new user with an API key and the given deposits (asset=decimal amount)."""
        created = self.admin("/api/v1/admin/users", name=name)
        for asset, amount in funds.items():
            self.admin(
                "/api/v1/admin/deposits", user_id=created["user_id"], asset=asset, amount=amount
            )
        return Trader(self, created["user_id"], created["api_key"], created["secret_key"])
