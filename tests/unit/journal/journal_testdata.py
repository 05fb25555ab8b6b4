"""Records for the journal tests (a plain module: conftest.py names collide across folders)."""

from assetport.journal.record import Record


def make_records(first_seq: int, count: int, payload_bytes: int = 100) -> list[Record]:
    """Records first_seq .. first_seq+count-1 whose payloads say which record they are."""
    return [
        Record(
            seq,
            1_700_000_000_000_000 + seq,
            f"cmd-{seq}:".encode().ljust(payload_bytes, b"."),
        )
        for seq in range(first_seq, first_seq + count)
    ]
