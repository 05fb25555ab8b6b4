"""The command line of issuance (docs/issuance.md): the attestor's own tool and the
issuer's steps on a running server.

    assetport attest keygen --out KEY.pem             a new Ed25519 key; prints its public key
    assetport attest sign --key KEY.pem STATEMENT.json   the signed attestation, as JSON
    assetport attest verify ATTESTATION.json --public-key HEX
    assetport admin --data-dir D issuance attestor ISSUER KEY_ID PUBLIC_KEY
    assetport admin --data-dir D issuance terms TERMS.json | attestation ATTESTATION.json
    assetport admin --data-dir D issuance mint|burn ASSET AMOUNT [--ref R]
    assetport admin --data-dir D issuance fund ISSUER ASSET AMOUNT [--ref R]
    assetport admin --data-dir D issuance distribute ASSET PAY_ASSET AMOUNT [--ref R]

The attestor's tool needs no server and no data directory: an auditor runs it on its own
machine, with its own key, over the statement it counted.
"""

import argparse
import json
import os
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from assetport.domain.issuance.attestations import (
    Attestation,
    ReserveStatement,
    public_key_hex,
    sign,
    signature_is_valid,
)

PREFIX = "/api/v1/admin/issuance"
T = TypeVar("T")


class ToolError(Exception):
    """One line for the person at the terminal."""


def add_attest_parser(commands: "argparse._SubParsersAction[Any]") -> None:
    attest = commands.add_parser("attest", help="the reserve attestor's tool (no server)")
    tools = attest.add_subparsers(dest="attest_command", required=True)
    keygen = tools.add_parser("keygen", help="a new Ed25519 key, written mode 0600")
    keygen.add_argument("--out", type=Path, required=True)
    signer = tools.add_parser("sign", help="sign a reserve statement (JSON)")
    signer.add_argument("statement", type=Path)
    signer.add_argument("--key", type=Path, required=True, help="the attestor's PEM key")
    check = tools.add_parser("verify", help="check an attestation's signature")
    check.add_argument("attestation", type=Path)
    check.add_argument("--public-key", required=True, help="64 hex digits")


def add_admin_parser(admin_commands: "argparse._SubParsersAction[Any]") -> None:
    issuance = admin_commands.add_parser(
        "issuance", help="an issuer's steps: attestors, terms, attestations, mint, distribute"
    ).add_subparsers(dest="issuance_command", required=True)
    attestor = issuance.add_parser("attestor", help="register an attestor's key")
    attestor.add_argument("issuer", type=int)
    attestor.add_argument("key_id")
    attestor.add_argument("public_key")
    issuance.add_parser("terms", help="set a token's terms").add_argument("file", type=Path)
    issuance.add_parser("attestation", help="record a signed attestation").add_argument(
        "file", type=Path
    )
    for name in ("mint", "burn"):
        step = issuance.add_parser(name, help=f"{name} tokens in the issuer's treasury")
        step.add_argument("asset")
        step.add_argument("amount")
        step.add_argument("--ref", default=None)
    fund = issuance.add_parser("fund", help="money collected off the platform into the treasury")
    fund.add_argument("issuer", type=int)
    fund.add_argument("asset")
    fund.add_argument("amount")
    fund.add_argument("--ref", default=None)
    pay = issuance.add_parser("distribute", help="pay every holder of ASSET pro rata")
    pay.add_argument("asset")
    pay.add_argument("pay_asset")
    pay.add_argument("amount")
    pay.add_argument("--ref", default=None)


def run_attest(args: argparse.Namespace) -> int:
    if args.attest_command == "keygen":
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        try:
            fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise ToolError(f"{args.out} exists: a key is never overwritten") from None
        except OSError as exc:
            raise ToolError(f"cannot write {args.out}: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        print(public_key_hex(key))
        return 0
    if args.attest_command == "sign":
        statement = _read(args.statement, ReserveStatement)
        print(msgspec.json.encode(sign(statement, _private_key(args.key))).decode())
        return 0
    attestation = _read(args.attestation, Attestation)
    if signature_is_valid(attestation, args.public_key):
        print(f"OK: {attestation.statement.asset}, {len(attestation.statement.lots)} lots, "
              f"{attestation.statement.total_units} units, signed by that key")  # fmt: skip
        return 0
    print("FAILED: the signature does not verify with that key")
    return 1


def admin_request(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    command = args.issuance_command
    if command == "attestor":
        return f"{PREFIX}/attestors", {"issuer": args.issuer, "key_id": args.key_id,
                                       "public_key": args.public_key}  # fmt: skip
    if command == "terms":
        return f"{PREFIX}/terms", {"terms": _json(args.file)}
    if command == "attestation":
        return f"{PREFIX}/attestations", {"attestation": _json(args.file)}
    body: dict[str, Any] = {"amount": args.amount}
    if args.ref:
        body["ref"] = args.ref
    if command == "fund":
        return f"{PREFIX}/fund", body | {"issuer": args.issuer, "asset": args.asset}
    if command == "distribute":
        return f"{PREFIX}/distribute", body | {"asset": args.asset, "pay_asset": args.pay_asset}
    return f"{PREFIX}/{command}", body | {"asset": args.asset}


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ToolError(f"{path} is not JSON: {exc}") from None


def _read(path: Path, kind: type[T]) -> T:
    try:
        return msgspec.convert(_json(path), kind)
    except msgspec.ValidationError as exc:
        raise ToolError(f"{path}: {exc}") from None


def _private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise ToolError(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ToolError(f"{path} is not an Ed25519 key")
    return key
