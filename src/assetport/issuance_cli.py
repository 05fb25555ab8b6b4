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
    assetport admin --data-dir D issuance subscription-terms ASSET QUOTE PRICE FEE_BPS MINIMUM
                                          [--closed]
    assetport admin --data-dir D issuance redemptions [ASSET]       the pending ones
    assetport admin --data-dir D issuance confirm ID [--bar SERIAL]... [--pay-asset A
                                          --cash-price P]
    assetport admin --data-dir D issuance reject ID REASON
    assetport admin --data-dir D issuance transfer ASSET SOURCE TARGET AMOUNT
                                          allocation|forced|recovery [--reason R] [--ref R]
    assetport admin --data-dir D issuance holders ASSET [--from ACCOUNT] [--limit N]
    assetport admin --data-dir D issuer-agent add ISSUER NAME | remove NAME | list
                                          an issuer's agents (no server: the data directory)
    assetport admin --data-dir D document FILE [--name NAME]
                                          keep a token's document by its SHA-256 (no
                                          server); prints its entry for the terms

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
from assetport.edge.documents import DocumentError, DocumentStore
from assetport.edge.issuer_agents import IssuerAgentError, IssuerAgents

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
    _add_holder_steps(issuance)
    agents = admin_commands.add_parser(
        "issuer-agent", help="an issuer's agents, who act for it with their own tokens"
    ).add_subparsers(dest="agent_command", required=True)
    add = agents.add_parser("add", help="add an agent of ISSUER; prints its token once")
    add.add_argument("issuer", type=int, help="the issuer's treasury account (100-499)")
    add.add_argument("name")
    agents.add_parser("remove", help="remove an agent: its token stops working").add_argument(
        "name"
    )
    agents.add_parser("list", help="the agents, by issuer")
    document = admin_commands.add_parser(
        "document", help="keep a token's document (terms, prospectus) by its SHA-256"
    )
    document.add_argument("file", type=Path)
    document.add_argument("--name", default=None, help="its name in the terms (the file's)")


def _add_holder_steps(issuance: "argparse._SubParsersAction[Any]") -> None:
    """Subscriptions, redemptions, the issuer's transfers and the holder register."""
    sale = issuance.add_parser("subscription-terms", help="the price of new tokens, and fee")
    for name in ("asset", "quote", "price"):
        sale.add_argument(name)
    sale.add_argument("fee_bps", type=int)
    sale.add_argument("minimum")
    sale.add_argument("--closed", action="store_true", help="subscriptions closed")
    pending = issuance.add_parser("redemptions", help="the redemptions waiting for the issuer")
    pending.add_argument("asset", nargs="?", default=None)
    confirm = issuance.add_parser("confirm", help="complete a redemption: bars and/or cash")
    confirm.add_argument("redemption_id", type=int)
    confirm.add_argument("--bar", action="append", default=[], help="a bar's serial (repeat)")
    confirm.add_argument("--pay-asset", default=None)
    confirm.add_argument("--cash-price", default=None, help="per whole token, in PAY_ASSET")
    reject = issuance.add_parser("reject", help="reject a redemption: its tokens released")
    reject.add_argument("redemption_id", type=int)
    reject.add_argument("reason")
    move = issuance.add_parser("transfer", help="move tokens on the issuer's word")
    move.add_argument("asset")
    move.add_argument("source", type=int)
    move.add_argument("target", type=int)
    move.add_argument("amount", help="0 with recovery: the whole holding")
    move.add_argument("kind", choices=("allocation", "forced", "recovery"))
    move.add_argument("--reason", default="")
    move.add_argument("--ref", default=None)
    rules = issuance.add_parser("holder-rules", help="who may hold ASSET (a JSON file)")
    rules.add_argument("asset")
    rules.add_argument("file", type=Path, help="min_kyc_level, countries_allowed, ... (JSON)")
    for name, says in (("freeze", "freeze a user's holding"), ("unfreeze", "release it")):
        step = issuance.add_parser(name, help=says)
        step.add_argument("asset")
        step.add_argument("user_id", type=int)
        step.add_argument("reason")
        step.add_argument("--amount", default=None, help="left out: all of it")
    identity = issuance.add_parser("identity", help="what compliance verified of a user")
    identity.add_argument("user_id", type=int)
    identity.add_argument("kyc_level", type=int)
    identity.add_argument("country", nargs="?", default="")
    register = issuance.add_parser("holders", help="the holder register of ASSET")
    register.add_argument("asset")
    register.add_argument("--from", dest="from_account", type=int, default=0)
    register.add_argument("--limit", type=int, default=None)


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


def run_issuer_agents(args: argparse.Namespace, data_dir: Path) -> int:
    """`admin issuer-agent ...`: the agents live in the data directory, which the running
    server reads at each request, so no server is needed and a change counts at once."""
    agents = IssuerAgents.open(data_dir)
    try:
        if args.agent_command == "add":
            token = agents.add(args.issuer, args.name)
            print(f"agent {args.name} of issuer {args.issuer} added; its token (shown this "
                  "once, keep it secret):")  # fmt: skip
            print(token)
        elif args.agent_command == "remove":
            agents.remove(args.name)
            print(f"agent {args.name} removed")
        else:
            listed = [
                {"name": agent.name, "issuer": agent.issuer, "added_at_ms": agent.added_at_ms}
                for agent in agents.registered()
            ]
            print(json.dumps(listed, indent=2))
    except IssuerAgentError as exc:
        raise ToolError(str(exc)) from exc
    return 0


def run_document(args: argparse.Namespace, data_dir: Path) -> int:
    """`admin document FILE`: the file kept in the data directory under its SHA-256, which
    the server serves at /api/v1/assets/documents/<sha256>; prints the terms' entry."""
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        digest = DocumentStore(data_dir).put(data)
    except DocumentError as exc:
        raise ToolError(f"{args.file}: {exc}") from None
    print(json.dumps({"name": args.name or args.file.name, "sha256": digest}))
    return 0


def admin_request(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    command = args.issuance_command
    if command == "attestor":
        return f"{PREFIX}/attestors", {"issuer": args.issuer, "key_id": args.key_id,
                                       "public_key": args.public_key}  # fmt: skip
    if command == "terms":
        return f"{PREFIX}/terms", {"terms": _json(args.file)}
    if command == "attestation":
        return f"{PREFIX}/attestations", {"attestation": _json(args.file)}
    if command in _HOLDER_STEPS:
        return _HOLDER_STEPS[command](args)
    body: dict[str, Any] = {"amount": args.amount}
    if args.ref:
        body["ref"] = args.ref
    if command == "fund":
        return f"{PREFIX}/fund", body | {"issuer": args.issuer, "asset": args.asset}
    if command == "distribute":
        return f"{PREFIX}/distribute", body | {"asset": args.asset, "pay_asset": args.pay_asset}
    return f"{PREFIX}/{command}", body | {"asset": args.asset}


def _subscription_terms(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    return f"{PREFIX}/subscription-terms", {
        "asset": args.asset, "quote": args.quote, "price": args.price,
        "fee_bps": args.fee_bps, "minimum": args.minimum, "open": not args.closed,
    }  # fmt: skip


def _redemptions(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    return f"{PREFIX}/redemptions", {} if args.asset is None else {"asset": args.asset}


def _confirm(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"redemption_id": args.redemption_id, "bars": args.bar}
    if args.pay_asset is not None:
        body |= {"pay_asset": args.pay_asset, "cash_price": args.cash_price}
    return f"{PREFIX}/redemptions/confirm", body


def _reject(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    return f"{PREFIX}/redemptions/reject", {"redemption_id": args.redemption_id,
                                             "reason": args.reason}  # fmt: skip


def _transfer(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    body = {"asset": args.asset, "source": args.source, "target": args.target,
            "amount": args.amount, "kind": args.kind, "reason": args.reason}  # fmt: skip
    return f"{PREFIX}/transfer", body | ({"ref": args.ref} if args.ref else {})


def _holders(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"asset": args.asset, "from_account": args.from_account}
    return f"{PREFIX}/holders", body | ({"limit": args.limit} if args.limit else {})


def _holder_rules(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    rules = _json(args.file)
    if not isinstance(rules, dict):
        raise ToolError(f"{args.file}: the rules are a JSON object")
    return f"{PREFIX}/holder-rules", rules | {"asset": args.asset}


def _freezing(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    body = {"asset": args.asset, "user_id": args.user_id, "reason": args.reason}
    return f"{PREFIX}/{args.issuance_command}", body | (
        {"amount": args.amount} if args.amount else {}
    )


def _identity(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    return "/api/v1/admin/identity", {"user_id": args.user_id, "kyc_level": args.kyc_level,
                                      "country": args.country}  # fmt: skip


_HOLDER_STEPS = {
    "holder-rules": _holder_rules,
    "freeze": _freezing,
    "unfreeze": _freezing,
    "identity": _identity,
    "subscription-terms": _subscription_terms,
    "redemptions": _redemptions,
    "confirm": _confirm,
    "reject": _reject,
    "transfer": _transfer,
    "holders": _holders,
}


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
