"""File modes (issue 13, operations): the data directory is 0700 and everything in it 0600
(journal segments, snapshots, the SQLite history and its -wal/-shm files, the user, key
and account stores, the lock file, `server.json`), also when made by a restart, and a data
directory left loose by an older version is tightened at start. Real processes; the walk
happens while the server runs (server.json, -wal and -shm exist then) and after it stops."""

import os
import stat
from pathlib import Path

from exchange_server import ExchangeServer
from operations_support import Writer


def _loose(data: Path) -> list[str]:
    """Every path under `data` (itself included) that someone else could read or enter. A
    file that is gone by the time it is looked at (a temporary file the server renamed into
    place meanwhile: NFT media, documents) had nothing to show."""
    found = []
    for path in [data, *data.rglob("*")]:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append(f"{path.relative_to(data.parent)} {mode:o}")
    return found


def _trade(server: ExchangeServer, name: str) -> None:
    alice = server.user(name, KRW="10000000")
    status, order = alice.post(
        "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity="0.1", price="100000",
    )  # fmt: skip
    assert status == 200, order
    status, history = alice.get("/api/v3/allOrders", symbol="KGLDKRW")  # the SQL history
    assert status == 200 and history, history


def test_everything_in_the_data_directory_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data, "--demo") as server:
        _trade(server, "alice")
        assert _loose(data) == []
        names = {path.name for path in data.iterdir()}
        assert {"server.json", "assetport.db", "users.sqlite3", "writer.lock"} <= names
        assert any(name.endswith("-wal") for name in names)
    assert (data / "snapshots").is_dir() and _loose(data) == []
    # A restart makes its own files (a new segment, another snapshot) just as private.
    with ExchangeServer(data, "--demo") as server:
        _trade(server, "bob")
        assert _loose(data) == []
    assert _loose(data) == []


def test_a_loose_data_directory_is_tightened_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ExchangeServer(data) as server:
        _trade(server, "alice")
    secrets = {"master.key", "admin.token"}  # refused when loose, never loosened here
    for path in [data, *data.rglob("*")]:
        if path.name not in secrets:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    assert _loose(data)
    with ExchangeServer(data) as server:
        _trade(server, "bob")
        assert _loose(data) == []


def test_the_engine_process_keeps_its_data_directory_private(tmp_path: Path) -> None:
    data = tmp_path / "engine"
    data.mkdir(mode=0o755)
    with Writer("engine-serve", data).start() as engine:
        assert _loose(data) == []
        assert engine.stop() == 0
    assert _loose(data) == []
