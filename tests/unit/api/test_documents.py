"""A token's documents kept by their SHA-256 (edge/documents.py): the same bytes are kept
once, under their hash, in a private file (the server serves them to anyone); a file whose
bytes no longer hash to its name is never served; the kind is told from the first bytes."""

import hashlib
import stat
from pathlib import Path

import pytest

from assetport.edge.documents import DocumentError, DocumentStore, document_kind

PROSPECTUS = b"%PDF-1.7\n% Haeundae Marine Tower, prospectus (demo)\n"


def test_a_document_is_kept_under_its_hash_once(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    digest = store.put(PROSPECTUS)
    assert digest == hashlib.sha256(PROSPECTUS).hexdigest()
    assert store.put(PROSPECTUS) == digest
    kept = tmp_path / "documents" / digest
    assert kept.read_bytes() == PROSPECTUS
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # the data directory's rule
    assert [p.name for p in (tmp_path / "documents").iterdir()] == [digest]
    assert store.read(digest) == PROSPECTUS


def test_unknown_malformed_or_altered_documents_are_not_served(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    digest = store.put(PROSPECTUS)
    assert store.read("ab" * 32) is None
    assert store.read("../" + digest[3:]) is None
    assert store.read(digest.upper()) is None
    (tmp_path / "documents" / digest).write_bytes(PROSPECTUS + b"tampered")
    assert store.read(digest) is None


def test_empty_documents_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        DocumentStore(tmp_path).put(b"")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PROSPECTUS, ("application/pdf", "pdf")),
        (b"\x89PNG\r\n\x1a\n....", ("image/png", "png")),
        ("임대차 계약 요약".encode(), ("text/plain; charset=utf-8", "txt")),
        (b"\xff\xfe\x00\x01", ("application/octet-stream", "bin")),
    ],
)
def test_the_kind_is_told_from_the_first_bytes(data: bytes, kind: tuple[str, str]) -> None:
    assert document_kind(data) == kind
