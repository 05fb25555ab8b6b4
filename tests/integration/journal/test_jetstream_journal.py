"""The JetStream journal against a real NATS server on 127.0.0.1:4222."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
import pytest

from assetport.journal.errors import JournalConflict, JournalCorrupted, JournalFailed
from assetport.journal.jetstream import JetStreamJournal, encode_message
from assetport.journal.record import Record

URL = "nats://127.0.0.1:4222"


def _nats_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _nats_reachable(), reason="no NATS server reachable on 127.0.0.1:4222"
)


def _records(first_seq: int, count: int) -> list[Record]:
    return [
        Record(seq, 1_700_000_000_000_000 + seq, f"cmd-{seq}".encode().ljust(100, b"."))
        for seq in range(first_seq, first_seq + count)
    ]


def _run_with_journal(test: Callable[[JetStreamJournal, str], Awaitable[None]]) -> None:
    """Run `test` with an open journal on a fresh stream, and delete the stream afterwards."""
    stream = f"TEST_{uuid.uuid4().hex[:12].upper()}"
    subject = f"test.{stream.lower()}"

    async def main() -> None:
        journal = JetStreamJournal(URL, stream, subject, ack_timeout=5.0)
        assert await journal.open() == 0
        try:
            await test(journal, stream)
        finally:
            await journal.close()
            nc = await nats.connect(URL)
            try:
                await nc.jetstream().delete_stream(stream)
            finally:
                await nc.close()

    asyncio.run(main())


async def _collect(records: AsyncIterator[Record]) -> list[Record]:
    return [record async for record in records]


def test_round_trip() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        written = _records(1, 250)
        await journal.append(written[:200])  # one batch, published concurrently
        await journal.append(written[200:])
        assert journal.last_seq == 250
        assert await _collect(journal.read(1)) == written
        assert await _collect(journal.read(101)) == written[100:]
        assert await _collect(journal.read(251)) == []

    _run_with_journal(test)


def test_open_reports_the_last_seq_and_appends_continue() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        await journal.append(_records(1, 30))
        other = JetStreamJournal(URL, stream, journal.subject)
        assert await other.open() == 30
        await other.append(_records(31, 5))
        assert await _collect(other.read(29)) == _records(29, 7)
        await other.close()

    _run_with_journal(test)


def test_append_rejects_a_gap() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        with pytest.raises(ValueError, match="expected seq 1, got 2"):
            await journal.append(_records(2, 3))
        assert journal.last_seq == 0

    _run_with_journal(test)


def test_a_republished_record_is_deduplicated() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        written = _records(1, 10)
        await journal.append(written)
        nc = await nats.connect(URL)
        try:
            js = nc.jetstream()
            # What a retry after a lost ack does: send records 6..10 again, same msg ids.
            for record in written[5:]:
                ack = await js.publish(
                    journal.subject,
                    encode_message(record),
                    headers={
                        "Nats-Msg-Id": str(record.seq),
                        "Nats-Expected-Last-Sequence": str(record.seq - 1),
                    },
                )
                assert ack.duplicate
                assert ack.seq == record.seq
            assert (await js.stream_info(stream)).state.last_seq == 10
        finally:
            await nc.close()
        assert await _collect(journal.read(1)) == written

    _run_with_journal(test)


def test_a_second_writer_is_refused() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        await journal.append(_records(1, 5))
        rival = JetStreamJournal(URL, stream, journal.subject)
        assert await rival.open() == 5
        await rival.append(_records(6, 2))
        try:
            # Same seq, different content: dedup must not pass it off as ours.
            clash = [Record(6, 0, b"a different command")]
            with pytest.raises(JournalConflict, match="different record 6"):
                await journal.append(clash)
            with pytest.raises(JournalFailed, match="reopen"):
                await journal.append(clash)
        finally:
            await rival.close()

    _run_with_journal(test)


def test_follow_receives_new_records() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        await journal.append(_records(1, 3))
        standby = JetStreamJournal(URL, stream, journal.subject)
        await standby.open()
        received: list[Record] = []

        async def follow() -> None:
            async for record in standby.follow(2):
                received.append(record)
                if record.seq == 8:
                    return

        follower = asyncio.create_task(follow())
        await asyncio.sleep(0.2)
        await journal.append(_records(4, 3))
        await journal.append(_records(7, 2))
        await asyncio.wait_for(follower, timeout=10)
        assert received == _records(2, 7)
        await standby.close()

    _run_with_journal(test)


def test_a_foreign_subject_layout_is_refused() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        wrong = JetStreamJournal(URL, stream, "some.other.subject")
        with pytest.raises(ValueError, match="exactly"):
            await wrong.open()

    _run_with_journal(test)


def test_a_foreign_message_in_the_stream_is_a_conflict() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        await journal.append(_records(1, 2))
        nc = await nats.connect(URL)
        try:
            await nc.jetstream().publish(journal.subject, encode_message(_records(3, 1)[0]))
        finally:
            await nc.close()
        with pytest.raises(JournalConflict, match="another sequencer"):
            await journal.append(_records(3, 1))

    _run_with_journal(test)


def test_open_checks_the_last_message() -> None:
    async def test(journal: JetStreamJournal, stream: str) -> None:
        await journal.append(_records(1, 2))
        nc = await nats.connect(URL)
        try:
            # A message whose prefix names seq 7 while the stream stores it at seq 3.
            await nc.jetstream().publish(journal.subject, encode_message(_records(7, 1)[0]))
        finally:
            await nc.close()
        reader = JetStreamJournal(URL, stream, journal.subject)
        with pytest.raises(JournalCorrupted, match="stream seq 3 holds record seq 7"):
            await reader.open()

    _run_with_journal(test)
