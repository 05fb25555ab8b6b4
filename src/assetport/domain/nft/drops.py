"""Primary sales: how a creator first sells what it minted. Three kinds, as on Binance NFT:

- a fixed-price drop: from its start, anyone buys units at the price, up to a cap per account,
  first come first served, in the order of the drop's lots;
- a subscription draw: during the window, accounts enter with tickets (each ticket one unit at
  the price, its price held); after it, the tickets are drawn (`draws.py`), winners pay and
  receive, everyone else gets their money back;
- mystery boxes: during the window, accounts buy boxes (each box's price held); after it,
  every box opens into one unit drawn from the pool, whose make-up (the lots) is published
  with the drop: the distribution.

Draws and boxes are decided by a seed the operator committed to when the drop was made
(`commitment`) and reveals after the window. A seed not revealed within `REVEAL_WITHIN_US`
after the end cancels the sale: every held payment comes back, every unit goes back to the
creator.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import msgspec

from assetport.domain.nft.draws import (
    COMMITMENT_HEX_CHARS,
    box_roll,
    draw_tickets,
    seed_from_hex,
    seed_problem,
)
from assetport.domain.nft.trading import MAX_DURATION_US
from assetport.domain.units import MAX_AMOUNT

MAX_DROP_UNITS: Final = 10_000  # units one drop sells (boxes open at once when revealed)
MAX_DROP_LOTS: Final = 1_000
MAX_TICKETS: Final = 1_000_000  # tickets entered in one draw, all accounts together
REVEAL_WITHIN_US: Final = 24 * 3600 * 1_000_000


class DropKind(StrEnum):
    FIXED = "fixed"
    DRAW = "draw"
    BOX = "box"


class DropTerms(msgspec.Struct, frozen=True, array_like=True):
    collection: str
    kind: DropKind
    price: int  # per unit, ticket or box
    starts_us: int
    ends_us: int
    per_account: int  # most units, tickets or boxes one account may take (0: no cap)
    lots: tuple[tuple[int, int], ...]  # (token id, units) for sale, or in the boxes' pool
    commitment: str = ""  # draws and boxes: the seed's commitment (`draws.commitment`)

    @property
    def units(self) -> int:
        return sum(units for _, units in self.lots)


def drop_problem(t: DropTerms, now_us: int) -> str | None:
    """Why a drop cannot be made as given, or None."""
    if not 0 < len(t.lots) <= MAX_DROP_LOTS:
        return f"a drop sells 1 to {MAX_DROP_LOTS} lots"
    if any(units <= 0 for _, units in t.lots) or len({i for i, _ in t.lots}) != len(t.lots):
        return "each lot names a different token id and some units"
    if t.units > MAX_DROP_UNITS:
        return f"a drop sells at most {MAX_DROP_UNITS:,} units"
    if not 0 < t.price <= MAX_AMOUNT // MAX_TICKETS:
        return "a drop's price is above zero"
    if not now_us <= t.starts_us < t.ends_us <= now_us + MAX_DURATION_US:
        return "a drop starts now or later and ends within 90 days"
    if t.per_account < 0:
        return "the cap per account is a number of units (0: none)"
    seeded = t.kind is not DropKind.FIXED
    if seeded != (len(t.commitment) == COMMITMENT_HEX_CHARS):
        return "draws and boxes name the seed's commitment (64 hex digits); fixed drops none"
    if seeded and any(c not in "0123456789abcdef" for c in t.commitment):
        return "the commitment is 64 lowercase hex digits"
    return None


def add_entry(entries: list[tuple[int, int]], kind: DropKind, account: int, quantity: int) -> None:
    """Record `quantity` tickets or boxes taken by `account`: a draw keeps one entry per
    account, where it first entered (a ticket's number depends on it); a box sale one per
    purchase (boxes are numbered from 1 in purchase order)."""
    if kind is DropKind.DRAW:
        for index, (who, count) in enumerate(entries):
            if who == account:
                entries[index] = (who, count + quantity)
                return
    entries.append((account, quantity))


def open_boxes(
    seed: bytes, drop_id: int, lots: tuple[tuple[int, int], ...], boxes: int
) -> list[int]:
    """The token id each box opens into, for boxes 1 to `boxes` in order: box n's roll
    (`draws.box_roll` of the seed, the drop and n) falls in one unit of what the boxes before
    it left of the pool, the lots' units in order. So the pool's make-up is exactly what was
    published, and anyone with the seed re-derives every box."""
    left = [units for _, units in lots]
    opened: list[int] = []
    for serial in range(1, boxes + 1):
        roll = box_roll(seed, drop_id, serial, sum(left))
        reached = 0
        for index, units in enumerate(left):
            reached += units
            if roll < reached:
                left[index] -= 1
                opened.append(lots[index][0])
                break
    return opened


@dataclass(frozen=True)
class Verification:
    """A revealed drop re-derived: whether the seed opens the commitment, what every entry
    won (a draw: account -> units, the winners only) or every box opened into (serial ->
    token id), and whether that is what was settled."""

    seed_opens: bool
    won: dict[int, int]
    boxes: dict[int, int]
    matches: bool


def verify_drop(
    terms: DropTerms,
    drop_id: int,
    entries: list[tuple[int, int]],
    seed_hex: str,
    settled_won: dict[int, int],
    settled_boxes: dict[int, int],
) -> Verification:
    """Re-derive a draw or box sale from its seed, its id and its entries (in the order the
    sequencer took them), and compare with what the platform settled."""
    try:
        seed = seed_from_hex(seed_hex)
    except ValueError:
        return Verification(False, {}, {}, False)
    opens = seed_problem(seed, terms.commitment) is None
    if terms.kind is DropKind.DRAW:
        results = draw_tickets(seed, drop_id, entries, terms.units)
        won = {account: units for account, units in results if units}
        return Verification(opens, won, {}, opens and won == settled_won)
    opened = open_boxes(seed, drop_id, terms.lots, sum(count for _, count in entries))
    boxes = dict(enumerate(opened, start=1))
    return Verification(opens, {}, boxes, opens and boxes == settled_boxes)
