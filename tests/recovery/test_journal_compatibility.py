"""A journal and a snapshot written before the engine became products over one ledger
(issue #14) still lead to the same state: the same state hash, the same snapshot bytes.

The files in `journal_v1/` were written by that engine (`journal_v1/make_journal.py` says
how); `expected.json` holds the hashes it computed. Nothing here is computed by the code
under test except what is compared with them.
"""

import json
from pathlib import Path

from assetport.domain.commands import decode_command
from assetport.engine.engine import Engine
from assetport.runtime.replay import read_records, replay

STORED = Path(__file__).resolve().parent / "journal_v1"
EXPECTED = json.loads((STORED / "expected.json").read_text())


def test_an_old_journal_replays_to_the_state_hash_it_had() -> None:
    replayed = replay(STORED / "data")
    assert replayed.records == EXPECTED["last_seq"]
    assert replayed.engine.last_seq == EXPECTED["last_seq"]
    assert replayed.engine.state_hash() == EXPECTED["state_hash"]
    assert not any(replayed.engine.ledger_totals().values())


def test_an_old_snapshot_restores_to_the_same_bytes_and_goes_on_to_the_same_state() -> None:
    old = (STORED / "snapshot.bin").read_bytes()
    engine = Engine.restore(old)
    assert engine.last_seq == EXPECTED["snapshot_seq"]
    assert engine.snapshot() == old
    assert engine.state_hash() == EXPECTED["snapshot_hash"]
    for record in read_records(STORED / "data"):
        if record.seq > engine.last_seq:
            engine.apply(record.seq, record.time, decode_command(record.payload))
    assert engine.state_hash() == EXPECTED["state_hash"]


def test_the_journal_up_to_the_snapshot_gives_the_snapshot_s_bytes() -> None:
    engine = Engine()
    for record in read_records(STORED / "data"):
        engine.apply(record.seq, record.time, decode_command(record.payload))
        if record.seq == EXPECTED["snapshot_seq"]:
            break
    assert engine.snapshot() == (STORED / "snapshot.bin").read_bytes()
