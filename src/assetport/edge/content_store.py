"""Files kept by the SHA-256 of their bytes: `<folder>/<sha256>`, one folder per kind of
content (a token's documents, `edge/documents.py`; NFT media, `edge/nft_media.py`).

What is named by a hash can only ever be those bytes: a file is written whole or not at all
(a temporary file, fsynced, then renamed into place), the same bytes again change nothing,
and a file whose bytes do not hash to its name (changed on disk) is never handed out. The
files are private like everything in the data directory: the server serves them.

Reading and hashing a large file costs a few milliseconds, so the few read last are kept in
memory (bounded in bytes): a hash's bytes never change, so what was verified once stays
right. `read` may be called from several threads at once (the gateway reads off its event
loop).
"""

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Final

SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
CACHED_BYTES: Final = 64 << 20


class ContentStore:
    """Bytes of at most `max_bytes` kept under their SHA-256 in `folder`."""

    def __init__(self, folder: Path, max_bytes: int, cached_bytes: int = CACHED_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._cached_bytes = cached_bytes
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes) -> str:
        """Keep `data` under its SHA-256 (the same bytes again change nothing): the hash.
        The caller has checked what the bytes must be; empty or oversize bytes here are a
        bug, refused with ValueError."""
        if not data or len(data) > self.max_bytes:
            raise ValueError(f"{len(data)} bytes: 1 to {self.max_bytes} are kept")
        digest = hashlib.sha256(data).hexdigest()
        target = self.folder / digest
        if target.is_file():
            return digest
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def cached(self, digest: str) -> bytes | None:
        """The bytes under `digest` if they were read lately; None otherwise (which says
        nothing about the disk). No I/O: for the event loop."""
        with self._lock:
            data = self._cache.get(digest)
            if data is not None:
                self._cache.move_to_end(digest)
            return data

    def read(self, digest: str) -> bytes | None:
        """The bytes kept under `digest`, or None: unknown, not a hash, or a file whose
        bytes do not hash to its name (not what was kept under it)."""
        if not SHA256_HEX.fullmatch(digest):
            return None
        data = self.cached(digest)
        if data is not None:
            return data
        try:
            with (self.folder / digest).open("rb") as file:
                data = file.read(self.max_bytes + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        if len(data) > self.max_bytes or hashlib.sha256(data).hexdigest() != digest:
            return None
        self._remember(digest, data)
        return data

    def _remember(self, digest: str, data: bytes) -> None:
        with self._lock:
            cache = self._cache
            cache[digest] = data
            cache.move_to_end(digest)
            kept = sum(len(value) for value in cache.values())
            while kept > self._cached_bytes and len(cache) > 1:
                _, dropped = cache.popitem(last=False)
                kept -= len(dropped)
