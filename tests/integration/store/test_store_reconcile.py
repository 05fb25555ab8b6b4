"""`assetport reconcile` on a real journal: silent when the read model is sound, and it names
a tampered balance, order or posting."""

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from store_workload import applied

from assetport.domain.commands import encode_command
from assetport.journal.file_journal import FileJournal
from assetport.journal.record import Record
from assetport.store import schema
from assetport.store.database import open_database
from assetport.store.projector import Projector
from assetport.store.rebuild import project_journal
from assetport.store.reconcile import main, reconcile

ITEMS = applied(800, seed=3)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    journal = FileJournal.in_data_dir(tmp_path)
    journal.open()
    journal.append([Record(seq, time, encode_command(cmd)) for seq, time, cmd, _ in ITEMS])
    journal.close()
    return tmp_path


def _project(data_dir: Path, db_url: str, until: int | None = None) -> None:
    database = open_database(db_url)
    project_journal(Projector(database), data_dir, until_seq=until, batch_size=128)
    database.close()


def _tamper(db_url: str, statement: object) -> None:
    database = open_database(db_url)
    with database.engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]
    database.close()


def test_a_sound_read_model_has_no_difference(
    data_dir: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(data_dir, db_url)
    assert reconcile(data_dir, db_url) == []
    assert main(["--data-dir", str(data_dir), "--db", db_url]) == 0
    assert "agrees" in capsys.readouterr().out


def test_a_lagging_read_model_is_compared_at_its_own_seq(data_dir: Path, db_url: str) -> None:
    _project(data_dir, db_url, until=500)
    assert reconcile(data_dir, db_url) == []


def test_a_tampered_balance_is_named(
    data_dir: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(data_dir, db_url)
    b = schema.balances
    _tamper(
        db_url,
        update(b).where(b.c.account == 3, b.c.asset == "KRW").values(free=b.c.free + 1),
    )
    problems = reconcile(data_dir, db_url)
    assert len(problems) == 1
    assert problems[0].startswith("account 3 KRW: the journal gives free ")
    assert "the balances table has" in problems[0]
    assert main(["--data-dir", str(data_dir), "--db", db_url]) == 1
    assert capsys.readouterr().out.splitlines() == problems


def test_a_tampered_order_and_a_lost_posting_are_named(data_dir: Path, db_url: str) -> None:
    _project(data_dir, db_url)
    database = open_database(db_url)
    o, p = schema.orders, schema.postings
    with database.engine.connect() as connection:
        order_id = connection.execute(
            select(o.c.order_id).where(o.c.status == "NEW").limit(1)
        ).scalar_one()
        seq, line, account, asset = connection.execute(
            select(p.c.seq, p.c.line, p.c.account, p.c.asset).where(p.c.account == 4).limit(1)
        ).one()
    database.close()
    _tamper(db_url, update(o).where(o.c.order_id == order_id).values(executed_qty=1))
    _tamper(db_url, delete(p).where(p.c.seq == seq, p.c.line == line))
    problems = reconcile(data_dir, db_url)
    assert f"open order {order_id} differs (journal vs read model): executed_qty 0 vs 1" in problems
    assert any(
        problem.startswith(f"account {account} {asset}:") and "the postings sum to" in problem
        for problem in problems
    )
