"""The custody lock in the history database (`server/custody_lock.py`), on SQLite and on
PostgreSQL: one holder at a time, free again once released, or once its holder's process
is gone (its connection, or its file descriptor, with it)."""

import subprocess
import sys
import time

import pytest

from assetport.custody.config import ChainConfigError
from assetport.server.custody_lock import CustodyLock


def test_one_holder_at_a_time(db_url: str) -> None:
    held = CustodyLock.take(db_url)
    with pytest.raises(ChainConfigError, match="another gateway runs custody"):
        CustodyLock.take(db_url)
    held.release()
    CustodyLock.take(db_url).release()


def test_a_holder_that_dies_lets_go(db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from assetport.server.custody_lock import CustodyLock; "
         "CustodyLock.take(sys.argv[1]); print('held', flush=True); time.sleep(60)", db_url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(ChainConfigError):
            CustodyLock.take(db_url)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    # PostgreSQL ends the session of a closed connection a moment later.
    for _ in range(100):
        try:
            CustodyLock.take(db_url).release()
            return
        except ChainConfigError:
            time.sleep(0.1)
    raise AssertionError("the lock of a dead holder was never freed")
