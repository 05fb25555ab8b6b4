"""The NFT marketplace's command line: anyone's check of a draw or a mystery-box sale.

    assetport nft verify-drop --url BASE_URL --drop ID

reads the drop's public record (`GET /api/v1/nft/drops/{id}`: its terms, the commitment it
was made with, the entries in the order the sequencer took them, the revealed seed and what
was settled), checks that the seed opens the commitment, re-derives every ticket and box with
`domain/nft/draws.py` on this machine, and prints each result beside what the platform
settled. Exit status 0 when everything matches, 1 when anything differs, 2 when the drop
cannot be read or is not revealed yet. It trusts nothing of the server's own check.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any, Final

from assetport.domain.nft.drops import DropKind, DropTerms, verify_drop

MAX_RECORD_BYTES: Final = 8 << 20  # a drop of 10,000 boxes is well under this
TIMEOUT_S: Final = 10


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    nft = commands.add_parser("nft", help="check NFT draws and mystery boxes (docs/nft-draws.md)")
    tools = nft.add_subparsers(dest="nft_command", required=True)
    verify = tools.add_parser("verify-drop", help="re-derive a drop's draws from its seed")
    verify.add_argument("--url", required=True, help="the exchange, e.g. https://assetport.example")
    verify.add_argument("--drop", type=int, required=True, help="the drop's id")


def run(args: argparse.Namespace) -> int:
    url = f"{args.url.rstrip('/')}/api/v1/nft/drops/{args.drop}"
    try:
        record = fetch(url)
    except (OSError, ValueError) as exc:
        print(f"cannot read {url}: {exc}", file=sys.stderr)
        return 2
    if record.get("kind") == "fixed" or not record.get("seed"):
        print(f"drop {args.drop} is not a revealed draw or box sale: nothing to re-derive")
        return 2
    return 0 if check(record) else 1


def fetch(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
        body = answer.read(MAX_RECORD_BYTES + 1)
    if len(body) > MAX_RECORD_BYTES:
        raise ValueError("the record is larger than any drop's")
    record: dict[str, Any] = json.loads(body)
    return record


def check(record: dict[str, Any]) -> bool:
    """Print the re-derivation of a revealed drop; whether it matches what was settled."""
    drop_id = int(record["dropId"])
    lots = tuple((int(lot["tokenId"]), int(lot["units"])) for lot in record["lots"])
    kind = DropKind(record["kind"])
    terms = DropTerms(record["collection"], kind, 1, 0, 1, 0, lots, record["commitment"])
    entries = [(int(e["account"]), int(e["count"])) for e in record["entries"]]
    settled_won = {int(w["account"]): int(w["units"]) for w in record["won"]}
    settled_boxes = {int(b["serial"]): int(b["tokenId"]) for b in record["boxes"]}
    found = verify_drop(terms, drop_id, entries, record["seed"], settled_won, settled_boxes)
    print(f"drop {drop_id}: seed {record['seed']}")
    opens = "the seed opens it" if found.seed_opens else "THE SEED DOES NOT OPEN IT"
    print(f"  commitment {record['commitment']}: {opens}")
    if kind is DropKind.DRAW:
        for account, tickets in entries:
            won, settled = found.won.get(account, 0), settled_won.get(account, 0)
            mark = "ok" if won == settled else "DIFFERS"
            print(f"  account {account}: {tickets} tickets, won {won} (settled {settled}) {mark}")
    else:
        for serial, token_id in found.boxes.items():
            settled_token = settled_boxes.get(serial)
            mark = "ok" if settled_token == token_id else "DIFFERS"
            print(f"  box {serial}: token {token_id} (settled {settled_token}) {mark}")
    print("everything matches" if found.matches else "SOMETHING DIFFERS")
    return found.matches
