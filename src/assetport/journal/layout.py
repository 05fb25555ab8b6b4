"""Where things live in a data dir: `<data_dir>/journal/*.seg`, `<data_dir>/snapshots/*.snap`."""

from pathlib import Path


def journal_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "journal"


def snapshots_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "snapshots"
