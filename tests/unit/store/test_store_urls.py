"""Which database a `--db` URL (or none) opens."""

from pathlib import Path

import pytest

from assetport.store.database import UnsupportedDatabase, database_url, open_database


def test_the_data_dir_sqlite_file_by_default(tmp_path: Path) -> None:
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/assetport.db"


@pytest.mark.parametrize("given", ["postgresql://u@h:5432/db", "postgres://u@h:5432/db"])
def test_postgresql_urls_use_psycopg_3(given: str) -> None:
    assert database_url(given) == "postgresql+psycopg://u@h:5432/db"


def test_other_databases_are_refused() -> None:
    with pytest.raises(UnsupportedDatabase):
        database_url("mysql://u@h/db")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = open_database(data_dir=tmp_path / "data")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    database.close()
    assert (tmp_path / "data" / "assetport.db").exists()
