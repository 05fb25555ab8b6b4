"""The documents a token's terms rest on (terms, prospectus, audit letter), kept by the
SHA-256 of their bytes: `<data_dir>/documents/<sha256>`. The terms name each document by
that hash (domain/issuance/terms.py), so what is served under a hash can only be the
document the issuer's terms bound: a file whose bytes do not hash to its name is never
served. Written by the operator's command line (`assetport admin document`), atomically;
read by the gateway. Documents are public (anyone reading a token's terms may read them,
through the server), the files private like everything in the data directory.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Final

DOCUMENTS_DIR: Final = "documents"
MAX_DOCUMENT_BYTES: Final = 64 << 20  # a prospectus with its annexes
SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")
# What the first bytes say a document is; anything else is served as bytes to download.
_KINDS: Final = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


class DocumentError(ValueError):
    """A document that cannot be kept, with the reason."""


class DocumentStore:
    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / DOCUMENTS_DIR

    def put(self, data: bytes) -> str:
        """Keep `data` under its SHA-256 (the same bytes again change nothing): the hash."""
        if not data:
            raise DocumentError("the document is empty")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"a document is at most {MAX_DOCUMENT_BYTES >> 20} MiB")
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
            # Private like everything in the data directory: the server serves it.
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def read(self, digest: str) -> bytes | None:
        """The document kept under `digest`, or None (unknown, or bytes that do not hash
        to it: a file changed on disk is not the document the terms bound)."""
        if not SHA256_HEX.fullmatch(digest):
            return None
        try:
            with (self.folder / digest).open("rb") as file:
                data = file.read(MAX_DOCUMENT_BYTES + 1)
        except (FileNotFoundError, IsADirectoryError):
            return None
        if len(data) > MAX_DOCUMENT_BYTES or hashlib.sha256(data).hexdigest() != digest:
            return None
        return data


def document_kind(data: bytes) -> tuple[str, str]:
    """(media type, file extension) of a document, from its first bytes; UTF-8 text as
    text, anything else as bytes to download."""
    for magic, media_type, extension in _KINDS:
        if data.startswith(magic):
            return media_type, extension
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream", "bin"
    return "text/plain; charset=utf-8", "txt"
