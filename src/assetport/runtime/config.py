"""The runtime's configuration: one small typed object, built by the CLI or by a test."""

from dataclasses import dataclass
from pathlib import Path

DEFAULT_SNAPSHOT_EVERY_COMMANDS = 200_000
DEFAULT_SNAPSHOT_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class RuntimeConfig:
    """Where state lives and how the engine service behaves.

    `journal_url` None (or `file:`) keeps the journal in `<data_dir>/journal`; a `nats://`
    URL puts it in a JetStream stream. Snapshots always go to `<data_dir>/snapshots`, and
    nothing is written outside `data_dir`.

    `queue_bound` caps the commands accepted and not yet acknowledged (queued, or written
    and waiting for their fsync): beyond it `submit` refuses with `Overloaded` rather than
    letting memory grow. `batch_max` caps one batch the sequencer stamps.
    """

    data_dir: Path
    journal_url: str | None = None
    snapshot_every_commands: int = DEFAULT_SNAPSHOT_EVERY_COMMANDS
    snapshot_every_seconds: float = DEFAULT_SNAPSHOT_EVERY_SECONDS
    snapshots_kept: int = 3
    queue_bound: int = 10_000
    batch_max: int = 2_000
    segment_bytes: int = 64 * 1024 * 1024
    archive_removed_segments: bool = False
    fsync_each: bool = False
    stream: str = "ASSETPORT"
    subject: str = "assetport.commands"
    replicas: int = 1

    def __post_init__(self) -> None:
        if self.snapshot_every_commands < 1:
            raise ValueError("snapshot_every_commands must be at least 1")
        if self.snapshot_every_seconds <= 0:
            raise ValueError("snapshot_every_seconds must be positive")
        if self.queue_bound < 1 or self.batch_max < 1:
            raise ValueError("queue_bound and batch_max must be at least 1")
        if self.journal_url is not None and not self.journal_url.startswith(
            ("file:", "nats://", "tls://")
        ):
            raise ValueError(
                f"journal URL {self.journal_url!r} is neither file: nor nats:// (or tls://)"
            )

    @property
    def uses_jetstream(self) -> bool:
        return self.journal_url is not None and not self.journal_url.startswith("file:")
