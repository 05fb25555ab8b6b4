"""Proof of reserves, served (docs/proof-of-reserves.md): the published root to anyone, and
to each account its own inclusion proof, which it checks with the stand-alone verifier.

The files are those `assetport por build --out DIR` wrote into the directory the server
was started with (`--por-dir`, by default `<data_dir>/proof-of-reserves`); they are read at
each request, so a new build is served as soon as the operator puts it in place. Binance
has no such endpoint: these live under Assetport's `/api/v1`.
"""

from pathlib import Path
from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api.http import Call, Endpoint, ParamDoc, Security

# A root or a proof is a few kilobytes (18 levels of siblings for 100,000 accounts); a
# file beyond this is not one of ours.
MAX_FILE_BYTES: Final = 1 << 20


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
    folder = call.gateway.reserves_dir
    if folder is None or not (folder / "root.json").is_file():
        raise errors.NO_PROOF_OF_RESERVES.error()
    return folder


async def reserves_root(call: Call) -> Any:
    """GET /api/v1/proof-of-reserves/root: the published root (hash, totals per asset, the
    reserves stated beside them, the journal point it was built at)."""
    call.params.ensure_all_read()
    root = _read(_published(call) / "root.json")
    if root is None:
        raise errors.NO_PROOF_OF_RESERVES.error()
    return root


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
    Endpoint("GET", "/api/v1/proof-of-reserves/proof", reserves_proof, Security.USER_DATA,
             "This account's proof of inclusion",
             (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))),
)  # fmt: skip
