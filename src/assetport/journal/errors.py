"""Errors the journal raises. Each names the file and byte offset an operator must look at."""

from pathlib import Path


class JournalCorrupted(Exception):
    """Stored journal data is damaged or out of order somewhere a crash cannot explain."""

    def __init__(
        self, path: Path | str, offset: int, reason: str, *, offset_kind: str = "byte offset"
    ) -> None:
        # For a JetStream journal `path` names the stream and `offset` is a stream seq.
        super().__init__(f"journal {path} is corrupted at {offset_kind} {offset}: {reason}")
        self.path = path
        self.offset = offset
        self.reason = reason


class JournalFailed(Exception):
    """A write or fsync failed, so what is on disk is unknown until the journal is reopened.

    After a failed fsync Linux may drop the dirty pages and report success on a retry, so
    retrying in place could acknowledge records that are lost. Reopening rescans the files.
    """


class JournalConflict(Exception):
    """The log already holds a different record under a sequence number we tried to write.

    This means two sequencers wrote to the same log; the one that sees it must stop.
    """


class StreamMissing(Exception):
    """The JetStream stream to read does not exist (a reader never creates one)."""
