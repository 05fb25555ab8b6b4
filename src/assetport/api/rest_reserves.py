"""Proof of reserves, served (docs/proof-of-reserves.md): the published root to anyone, the
history of every root published, and to each account its own inclusion proof, which it
checks with the stand-alone verifier.

The files are in the directory the server was started with (`--por-dir`, by default
`<data_dir>/proof-of-reserves`): the build its `current` link points at (`assetport por
publish`), or one `assetport por build --out` wrote into the directory itself. They are read
at each request, so a new build is served as soon as it is in place. Binance has no such
endpoint: these live under Assetport's `/api/v1`.
"""

import os
from pathlib import Path
from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.runtime.reserves import CURRENT, HISTORY_FILE

# A root or a proof is a few kilobytes (18 levels of siblings for 100,000 accounts), a
# root with thousands of deposit addresses holding reserves a few hundred; a file beyond
# this is not one of ours.
MAX_FILE_BYTES: Final = 4 << 20
# The history is read from its end: a line is ~1 KB, so this holds years of daily roots.
MAX_HISTORY_BYTES: Final = 4 << 20
HISTORY_DEFAULT: Final = 30
HISTORY_MAX: Final = 1000


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    if len(data) > MAX_FILE_BYTES:
        raise errors.UNKNOWN.error()
    return msgspec.json.decode(data)


def _published(call: Call) -> Path:
    """The build served now: `current`'s target, resolved once so that a root and a proof
    read for one request come from the same build even if a publication switches it."""
    folder = call.gateway.reserves_dir
    if folder is None:
        raise errors.NO_PROOF_OF_RESERVES.error()
    current = (folder / CURRENT).resolve()
    build = current if (current / "root.json").is_file() else folder
    if not (build / "root.json").is_file():
        raise errors.NO_PROOF_OF_RESERVES.error()
    return build


def _history_lines(path: Path) -> list[bytes]:
    """The history file's last lines (up to MAX_HISTORY_BYTES of them), oldest first."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            start = max(size - MAX_HISTORY_BYTES, 0)
            file.seek(start)
            data = file.read(MAX_HISTORY_BYTES)
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # begins mid-line
    return [line for line in lines if line.strip()]


async def reserves_root(call: Call) -> Any:
    """GET /api/v1/proof-of-reserves/root: the published root (hash, totals per asset, the
    reserves stated beside them, the journal point it was built at)."""
    call.params.ensure_all_read()
    root = _read(_published(call) / "root.json")
    if root is None:
        raise errors.NO_PROOF_OF_RESERVES.error()
    return root


async def reserves_history(call: Call) -> Any:
    """GET /api/v1/proof-of-reserves/history: the roots published, newest first (`limit`,
    30 by default): each one's hash, as-of point, totals and the reserves stated."""
    limit = call.params.optional_integer("limit")
    call.params.ensure_all_read()
    if limit is not None and limit <= 0:
        raise errors.invalid_parameter("limit")
    count = min(limit or HISTORY_DEFAULT, HISTORY_MAX)
    folder = call.gateway.reserves_dir
    if folder is None:
        return []
    lines = _history_lines(folder / HISTORY_FILE)
    return [msgspec.json.decode(line) for line in reversed(lines[-count:])]


async def reserves_proof(call: Call) -> Any:
    """GET /api/v1/proof-of-reserves/proof: this account's proof, root included."""
    call.params.ensure_all_read()
    proof = _read(_published(call) / "proofs" / f"{int(call.account)}.json")
    if proof is None:
        raise errors.NOT_IN_PROOF_OF_RESERVES.error()
    return proof


ENDPOINTS = (
    Endpoint("GET", "/api/v1/proof-of-reserves/root", reserves_root, Security.NONE,
             "The published proof-of-reserves root"),
    Endpoint("GET", "/api/v1/proof-of-reserves/history", reserves_history, Security.NONE,
             "Every proof-of-reserves root published, newest first",
             (ParamDoc("limit", "integer", False),)),
    Endpoint("GET", "/api/v1/proof-of-reserves/proof", reserves_proof, Security.USER_DATA,
             "This account's proof of inclusion",
             (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))),
)  # fmt: skip
