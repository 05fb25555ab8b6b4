"""The SQL history in the scaled-out form (issue #20), on the real PostgreSQL (127.0.0.1:5432)
and NATS JetStream (127.0.0.1:4222): an engine process with `--db` writes the read model; a
standby promoted after the primary is SIGKILLed starts its own, which goes on from the
committed seq (every order once, none missing); a catch-up waits for the old writer instead
of failing, but still refuses one ahead of its engine; a gateway's `PolledProgress` follows
the committed seq from the database and says when it stalls; and a gateway `serve --engine
PRIMARY,STANDBY --db` reads its own writes, across a failover too."""

import asyncio
import contextlib
import random
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import nats
import nats.js.errors
import psycopg
import pytest
from sqlalchemy import func, select

from assetport.domain.commands import (
    Command,
    Deposit,
    ListAsset,
    PlaceOrder,
    decode_command,
    encode_command,
)
from assetport.domain.events import Event
from assetport.engine.engine import Engine
from assetport.journal.file_journal import FileJournal
from assetport.journal.jetstream import JetStreamJournal
from assetport.journal.record import Record
from assetport.runtime.journal_source import JournalSource
from assetport.server.read_model import catch_up
from assetport.server.read_model_progress import PolledProgress
from assetport.store import schema
from assetport.store.database import Database, open_database
from assetport.store.projector import Projector, ProjectorConflict, committed_seq
from assetport.store.rebuild import project_journal
from assetport.store.reconcile import reconcile

sys.path.insert(0, str(Path(__file__).parents[2] / "recovery"))
sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from engine_process import EngineProcess, TradingClient
from exchange_server import ExchangeServer, Trader

NATS_URL = "nats://127.0.0.1:4222"
PG_ADMIN = "host=127.0.0.1 port=5432 dbname=test"
DEADLINE_S = 60.0


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _pg_user() -> str | None:
    if not _reachable(5432):
        return None
    for user in ("postgres", "root"):
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(f"{PG_ADMIN} user={user}", connect_timeout=3),
        ):
            return user
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new PostgreSQL database of the test's own, dropped after it."""
    user = _pg_user()
    if user is None:
        pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432")
    name = f"assetport_scaled_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_ADMIN} user={user}", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{user}@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(f"{PG_ADMIN} user={user}", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def stream() -> Iterator[tuple[str, str]]:
    """(stream name, subject), unique to the test, deleted after it."""
    if not _reachable(4222):
        pytest.skip("no NATS server reachable on 127.0.0.1:4222")
    name = f"TEST_{uuid.uuid4().hex[:12].upper()}"
    yield name, f"test.{name.lower()}"

    async def delete() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await nc.jetstream().delete_stream(name)
        finally:
            await nc.close()

    asyncio.run(delete())


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {DEADLINE_S} s for {what}"
        time.sleep(0.02)


def _committed(pg_url: str) -> int:
    database = open_database(pg_url, migrate=False)
    try:
        return committed_seq(database)
    finally:
        database.close()


def _stored(stream: tuple[str, str]) -> dict[int, bytes]:
    async def read() -> dict[int, bytes]:
        journal = JetStreamJournal(NATS_URL, *stream)
        await journal.open_existing()
        try:
            return {record.seq: record.payload async for record in journal.read(1)}
        finally:
            await journal.close()

    return asyncio.run(read())


def _order_seqs(pg_url: str) -> dict[int, int]:
    """seq of the placing command -> order rows with it."""
    database = open_database(pg_url, migrate=False)
    orders = schema.orders
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                select(orders.c.seq, func.count()).group_by(orders.c.seq)
            ).all()
    finally:
        database.close()
    return {seq: count for seq, count in rows}


async def _trade_then_kill(client: TradingClient, engine: EngineProcess, seconds: float) -> None:
    trading = asyncio.get_running_loop().create_task(client.trade(engine.port, window=200))
    await asyncio.sleep(seconds)
    engine.signal(signal.SIGKILL)
    await trading


def test_the_engine_writes_history_and_a_promoted_standby_goes_on_from_its_seq(
    tmp_path: Path, stream: tuple[str, str], pg_url: str
) -> None:
    name, subject = stream
    journal = ("--journal-url", NATS_URL, "--stream", name, "--subject", subject)
    open_database(pg_url).close()  # the schema, for `_committed` before the child has run
    primary = EngineProcess(tmp_path / "primary", *journal, "--db", pg_url)
    standby = EngineProcess(tmp_path / "standby", *journal, "--standby", "--db-url", pg_url)
    primary.start()
    try:
        standby.start()
        client = TradingClient(random.Random(20))
        asyncio.run(client.setup(primary.port))
        asyncio.run(client.trade(primary.port, window=200, seconds=0.5))
        acked = max(client.acked)
        _until(lambda: _committed(pg_url) >= acked, "the primary's read model")
        # Killed while it trades: its read model's child may still write what it was sent.
        asyncio.run(_trade_then_kill(client, primary, 0.5))
        primary.wait()
        standby.signal(signal.SIGUSR1)
        assert standby.next_ready()["role"] == "primary"
        asyncio.run(client.trade(standby.port, window=200, seconds=0.5))
        acked = max(client.acked)
        _until(lambda: _committed(pg_url) >= acked, "the promoted standby's read model")
        stored = _stored(stream)
        assert _committed(pg_url) == max(stored)  # idle now: all of the stream, no more
        placed = {
            seq for seq, payload in stored.items() if type(decode_command(payload)) is PlaceOrder
        }
        acked_placed = {
            seq
            for seq, payload in client.acked.items()
            if type(decode_command(payload)) is PlaceOrder
        }
        assert acked_placed <= placed
        rows = _order_seqs(pg_url)
        assert set(rows) == placed  # every order the stream holds, none missing
        assert set(rows.values()) == {1}  # each once
        source = JournalSource(tmp_path / "standby", NATS_URL, name, subject)
        assert reconcile(tmp_path / "standby", pg_url, source) == []
        code, err = standby.stop()
        assert code == 0, err
    finally:
        for engine in (primary, standby):
            if engine.process is not None and engine.process.poll() is None:
                engine.kill()


SETUP: list[list[Command]] = [
    [ListAsset("KRW", 0), ListAsset("KGLD", 4)],
    [Deposit(1001, "KRW", 1_000, "a"), Deposit(1002, "KRW", 2_000, "b")],
]


def _setup_batches(engine: Engine) -> list[tuple[int, int, list[Command], list[list[Event]]]]:
    """`SETUP` as the bus gives it (first seq, time, commands, their events), applied."""
    batches, seq = [], 1
    for batch in SETUP:
        events = [engine.apply(seq + i, 1_000 + seq, command) for i, command in enumerate(batch)]
        batches.append((seq, 1_000 + seq, list(batch), events))
        seq += len(batch)
    return batches


def _write_journal(data_dir: Path) -> JournalSource:
    """`SETUP` in a data dir's journal files."""
    journal = FileJournal.in_data_dir(data_dir)
    journal.open()
    commands = [command for batch in SETUP for command in batch]
    journal.append([Record(seq, 1_000, encode_command(c)) for seq, c in enumerate(commands, 1)])
    journal.close()
    return JournalSource(data_dir)


def test_a_catch_up_waits_for_the_old_writer_and_refuses_a_writer_ahead_of_its_engine(
    tmp_path: Path, database: Database
) -> None:
    journal = _write_journal(tmp_path)
    old, new, stale = Projector(database), Projector(database), Projector(database)
    project_journal(old, journal, 2)  # the old primary's child, finishing what it was sent
    catch_up(new, journal, 4)  # conflicts once, reloads at seq 2, goes on
    assert (old.last_seq(), new.last_seq(), committed_seq(database)) == (2, 4, 4)
    with database.engine.connect() as connection:
        rows = connection.execute(select(schema.balances.c.account, schema.balances.c.free))
        balances = {account: free for account, free in rows}
    assert (balances[1001], balances[1002]) == (1_000, 2_000)
    # A child whose engine is at seq 2 finds the read model at 4: not its journal's leftover.
    with pytest.raises(ProjectorConflict):
        catch_up(stale, journal, 2)


def test_polled_progress_follows_the_committed_seq_and_says_when_it_stalls(
    database: Database,
) -> None:
    async def scenario() -> None:
        engine_seq = 0
        projector = Projector(database)
        batches = _setup_batches(Engine())
        progress = await PolledProgress.start(database, lambda: engine_seq, stall_s=0.3)
        try:
            assert (progress.last_seq(), progress.stopped()) == (0, False)
            await asyncio.to_thread(projector.apply_columns, *batches[0])
            engine_seq = 2
            while progress.last_seq() < 2:  # a query waits on it
                progress.hurry()
                await asyncio.sleep(0.01)
            engine_seq = 4  # the engine goes on; the read model does not follow
            while not progress.stopped():
                await asyncio.sleep(0.02)
            await asyncio.to_thread(projector.apply_columns, *batches[1])
            while progress.stopped() or progress.last_seq() < 4:
                await asyncio.sleep(0.02)
        finally:
            await progress.close()

    asyncio.run(asyncio.wait_for(scenario(), DEADLINE_S))


def _place(trader: Trader, price: str) -> int:
    """A resting buy through the gateway, sent again while it answers 503 (it looks for
    the primary after a failover); its order id."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        status, placed = trader.post(
            "/api/v3/order", symbol="KGLDKRW", side="BUY", type="LIMIT",
            timeInForce="GTC", quantity="1", price=price,
        )  # fmt: skip
        if status != 503 or time.monotonic() > deadline:
            assert status == 200, placed
            return int(placed["orderId"])
        time.sleep(0.05)


def test_a_gateway_reads_its_own_writes_from_the_engines_history_across_a_failover(
    tmp_path: Path, stream: tuple[str, str], pg_url: str
) -> None:
    name, subject = stream
    journal = ("--journal-url", NATS_URL, "--stream", name, "--subject", subject)
    primary = EngineProcess(tmp_path / "primary", *journal, "--db", pg_url)
    standby = EngineProcess(tmp_path / "standby", *journal, "--standby", "--db", pg_url)
    primary.start()
    try:
        standby.start()
        engines = f"127.0.0.1:{primary.port},127.0.0.1:{standby.port}"
        gateway_args = ("--engine", engines, "--db", pg_url, "--no-chain")
        with ExchangeServer(tmp_path / "gateway", *gateway_args) as server:
            alice = server.user("alice", KRW="1000000")
            placed = [_place(alice, "120000")]
            # At once: the history holds what the client saw acknowledged.
            status, orders = alice.get("/api/v3/allOrders", symbol="KGLDKRW")
            assert (status, [o["orderId"] for o in orders]) == (200, placed), orders
            primary.kill()
            standby.signal(signal.SIGUSR1)
            assert standby.next_ready()["role"] == "primary"
            placed.append(_place(alice, "125000"))
            # The promoted standby's read model has it, and the gateway waits for that.
            status, orders = alice.get("/api/v3/allOrders", symbol="KGLDKRW")
            assert (status, [o["orderId"] for o in orders]) == (200, placed), orders
            # Nothing since: the history has everything this gateway's engine seq covers.
            status, health = server.request("GET", "/api/v1/health")
            assert status == 200 and health["readModel"]["behind"] == 0, health
            answer = server.admin("/api/v1/admin/status")
            shown = answer["read_model"]
            assert (shown["lag"], shown["stopped"]) == (0, False), answer
            assert shown["last_seq"] == answer["engine"]["last_seq"] > 0, answer
        code, err = standby.stop()
        assert code == 0, err
    finally:
        for engine in (primary, standby):
            if engine.process is not None and engine.process.poll() is None:
                engine.kill()
