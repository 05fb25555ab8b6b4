"""The documents a token's terms rest on (terms, prospectus, audit letter), kept by the
SHA-256 of their bytes: `<data_dir>/documents/<sha256>` (`edge/content_store.py`). The terms
name each document by that hash (domain/issuance/terms.py), so what is served under a hash
can only be the document the issuer's terms bound: a file whose bytes do not hash to its
name is never served. Written by the operator's command line (`assetport admin document`),
atomically; read by the gateway. Documents are public (anyone reading a token's terms may
read them, through the server), the files private like everything in the data directory.
"""

from pathlib import Path
from typing import Final

from assetport.edge.content_store import ContentStore

DOCUMENTS_DIR: Final = "documents"
MAX_DOCUMENT_BYTES: Final = 64 << 20  # a prospectus with its annexes
# What the first bytes say a document is; anything else is served as bytes to download.
_KINDS: Final = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


class DocumentError(ValueError):
    """A document that cannot be kept, with the reason."""


class DocumentStore(ContentStore):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir / DOCUMENTS_DIR, MAX_DOCUMENT_BYTES)
        self.data_dir = data_dir

    def put(self, data: bytes) -> str:
        """Keep `data` under its SHA-256 (the same bytes again change nothing): the hash."""
        if not data:
            raise DocumentError("the document is empty")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"a document is at most {MAX_DOCUMENT_BYTES >> 20} MiB")
        return super().put(data)


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
