"""Verifiable draws for NFT primary sales: who wins a subscription draw, what a mystery box
opens into. Commit-reveal: every outcome is fixed by a seed the operator committed to
before the sale, and anyone can re-derive every outcome once the seed is revealed.

What a verifier sees, and when:

1. Before the subscription window opens (before any box is sold), the operator journals
   the sale with `commitment(seed)`: the hex SHA-256 of a fixed prefix and the seed. The
   seed itself stays secret. It is 32 bytes, shown as 64 lower-case hex digits at the edge
   (API, pages, CLI); the operator draws it from a cryptographic random source outside the
   engine (the engine reads no random source).
2. During the window, every subscription is a journaled entry, (account, tickets), in the
   order the sequencer took them. Tickets are numbered from 0 in that order: the first
   entry's tickets come first.
3. After the window closes, the operator reveals the seed. It must hash to the commitment
   (`seed_problem`); only then are the tickets drawn (`draw_tickets`) and the boxes opened
   (`open_box`), from the seed, the sale's id and the journaled entries alone.
4. Anyone holding the seed, the sale's id and the entries (the public page lists them)
   re-derives every draw with this module, or with the reference in docs/nft-draws.md in
   any language: the bytes are HMAC-SHA256, nothing else.

Why the operator cannot choose the outcome after seeing the entries: the commitment is
journaled before the first entry, SHA-256 lets no second seed match it, and the draws are a
fixed function of the seed and the entries; so once the window is closed there is exactly
one outcome the operator can reveal.

What remains to trust: the operator could withhold the seed when it dislikes the outcome.
A sale whose seed is not revealed by its deadline is cancelled and every subscriber is
refunded in full (the engine does that), so withholding picks no winner, it only cancels.
And the operator knows the seed during the window: it, or anyone it leaks the seed to,
could subscribe knowing which tickets win; that is why the seed must stay off the journal
until the reveal and the platform's own accounts may not enter its primary sales.

The byte stream is HMAC-SHA256 in counter mode keyed with the seed, never Python's
`random` (its algorithm is no promise across versions); numbers below n are drawn by
rejection (no modulo bias); tickets are drawn without replacement by a partial
Fisher-Yates shuffle over a virtual array (memory in the number of winners, not tickets).
Changing any of it changes the outcomes of past sales, so it is versioned in the prefixes:
a new scheme gets new prefixes and the old one stays for the sales drawn with it.

Standard library only, so a verifier can copy this file alone.
"""

import hashlib
import hmac
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

SEED_BYTES: Final = 32
SEED_HEX_CHARS: Final = 2 * SEED_BYTES
COMMITMENT_HEX_CHARS: Final = 64
COMMITMENT_PREFIX: Final = b"assetport-nft-seed-v1\x00"
STREAM_PREFIX: Final = b"assetport-nft-draw-v1\x00"
TICKETS: Final = "tickets"  # the purpose of a subscription draw's stream
BOX: Final = "box"  # the purpose of one mystery box's stream
# Ids and counters enter the stream as 8 bytes; totals stay within a signed 64-bit integer
# so that a verifier in any language holds them in one machine word.
MAX_FIELD: Final = (1 << 64) - 1
MAX_TOTAL: Final = (1 << 63) - 1
MAX_PURPOSE_CHARS: Final = 32
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


def _is_lower_hex(text: str, length: int) -> bool:
    return len(text) == length and all(char in _HEX_DIGITS for char in text)


def _check_seed(seed: bytes) -> None:
    if len(seed) != SEED_BYTES:
        raise ValueError(f"a seed is {SEED_BYTES} bytes")


def commitment(seed: bytes) -> str:
    """The public commitment to `seed`: hex SHA-256 of the prefix and the seed."""
    _check_seed(seed)
    return hashlib.sha256(COMMITMENT_PREFIX + seed).hexdigest()


def seed_problem(seed: bytes, committed: str) -> str | None:
    """Why a revealed `seed` does not open the commitment `committed`, or None if it does."""
    if len(seed) != SEED_BYTES:
        return f"a seed is {SEED_BYTES} bytes ({SEED_HEX_CHARS} hex digits)"
    if not _is_lower_hex(committed, COMMITMENT_HEX_CHARS):
        return f"a commitment is {COMMITMENT_HEX_CHARS} lower-case hex digits"
    if not hmac.compare_digest(commitment(seed), committed):
        return "the seed does not hash to the commitment"
    return None


def seed_from_hex(text: str) -> bytes:
    """A seed as the edge shows it (64 lower-case hex digits) to its 32 bytes; ValueError
    for anything else, checked by length before any parsing."""
    if not _is_lower_hex(text, SEED_HEX_CHARS):
        raise ValueError(f"a seed is {SEED_HEX_CHARS} lower-case hex digits")
    return bytes.fromhex(text)


class ByteSource(Protocol):
    def read(self, count: int) -> bytes: ...


class DrawStream:
    """A deterministic stream of bytes for one purpose of one sale: block i is
    HMAC-SHA256(key = seed, message = STREAM_PREFIX ‖ purpose ‖ 0x00 ‖ each field as 8 bytes
    big-endian ‖ i as 8 bytes big-endian), for i = 0, 1, 2, ...; the stream is the blocks
    one after another, and reads take its bytes in order, across block boundaries.

    The purpose is ASCII without NUL, so where it ends is plain, and the fields are fixed
    width, so two different (purpose, fields) never give the same message."""

    __slots__ = ("_buffer", "_counter", "_message", "_position", "_seed")

    def __init__(self, seed: bytes, purpose: str, *fields: int) -> None:
        _check_seed(seed)
        if not 0 < len(purpose) <= MAX_PURPOSE_CHARS or not purpose.isascii() or "\0" in purpose:
            raise ValueError(f"a purpose is 1 to {MAX_PURPOSE_CHARS} ASCII characters, no NUL")
        for field in fields:
            if not 0 <= field <= MAX_FIELD:
                raise ValueError("a stream's field is 0 to 2**64 - 1")
        self._seed = seed
        self._message = (
            STREAM_PREFIX
            + purpose.encode("ascii")
            + b"\x00"
            + b"".join(field.to_bytes(8, "big") for field in fields)
        )
        self._counter = 0
        self._buffer = b""
        self._position = 0  # of the next unread byte in _buffer

    def read(self, count: int) -> bytes:
        if count < 0:
            raise ValueError("cannot read a negative number of bytes")
        end = self._position + count
        if end > len(self._buffer):
            unread = self._buffer[self._position :]
            while len(unread) < count:
                block = self._message + self._counter.to_bytes(8, "big")
                unread += hmac.digest(self._seed, block, "sha256")
                self._counter += 1
            self._buffer, self._position, end = unread, 0, count
        taken = self._buffer[self._position : end]
        self._position = end
        return taken


def uniform_below(stream: ByteSource, n: int) -> int:
    """A number in 0 .. n - 1, each equally likely: with b the bit length of n - 1, read
    ceil(b / 8) bytes, take them as a big-endian number, keep its low b bits; if that is
    below n it is the answer, otherwise read again. For n = 1 nothing is read."""
    if not 0 < n <= MAX_FIELD + 1:
        raise ValueError("n is 1 to 2**64")
    bits = (n - 1).bit_length()
    if bits == 0:
        return 0
    width = (bits + 7) // 8
    mask = (1 << bits) - 1
    while True:
        candidate = int.from_bytes(stream.read(width), "big") & mask
        if candidate < n:
            return candidate


def winning_tickets(seed: bytes, sale_id: int, total: int, winners: int) -> list[int]:
    """The winning ticket numbers of a draw of `winners` among tickets 0 .. total - 1, in
    the order they were drawn. If winners >= total every ticket wins, nothing is drawn and
    they are listed in ticket order.

    The draw is the first `winners` steps of a Fisher-Yates shuffle of the tickets, over
    the stream of purpose "tickets" and field sale_id: step i (from 0) draws
    j = i + uniform_below(stream, total - i), swaps positions i and j, and the ticket now
    at position i wins. Only the positions ever swapped are kept."""
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError("a draw's tickets are 0 to 2**63 - 1")
    if winners < 0:
        raise ValueError("a draw's winners cannot be negative")
    stream = DrawStream(seed, TICKETS, sale_id)  # checks the seed and id, even if unread
    if winners >= total:
        return list(range(total))
    moved: dict[int, int] = {}  # position -> ticket, where they differ
    drawn: list[int] = []
    for step in range(winners):
        position = step + uniform_below(stream, total - step)
        drawn.append(moved.get(position, position))
        moved[position] = moved.get(step, step)
        # Later steps draw only beyond `step`: forgetting it keeps memory to the winners.
        moved.pop(step, None)
    return drawn


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    account: int
    first: int  # the entry's tickets are first .. first + tickets - 1
    tickets: int
    won: int  # how many of them won


@dataclass(frozen=True, slots=True)
class TicketDraw:
    """A subscription draw as a public page shows it."""

    total: int  # tickets in the draw
    winning: list[int]  # winning ticket numbers, in draw order
    entries: list[EntryOutcome]  # one per entry, in entry order


def explain_tickets(
    seed: bytes, sale_id: int, entries: Sequence[tuple[int, int]], winners: int
) -> TicketDraw:
    """The draw of `winners` tickets among `entries`: (account, tickets) in the journaled
    order of subscription, each account once (a second subscription adds to the first
    entry), each with at least one ticket. Tickets are numbered from 0 in entry order."""
    firsts: list[int] = []
    accounts: set[int] = set()
    total = 0
    for account, tickets in entries:
        if tickets <= 0:
            raise ValueError("an entry has at least one ticket")
        if account in accounts:
            raise ValueError("an account enters a draw once")
        accounts.add(account)
        firsts.append(total)
        total += tickets
    winning = winning_tickets(seed, sale_id, total, winners)
    won = [0] * len(firsts)
    for ticket in winning:
        won[bisect_right(firsts, ticket) - 1] += 1
    outcomes = [
        EntryOutcome(account, first, tickets, count)
        for (account, tickets), first, count in zip(entries, firsts, won, strict=True)
    ]
    return TicketDraw(total, winning, outcomes)


def draw_tickets(
    seed: bytes, sale_id: int, entries: Sequence[tuple[int, int]], winners: int
) -> list[tuple[int, int]]:
    """(account, winning tickets) for every entry, in entry order, zeros included: each
    account pays for what it won and is refunded the rest. The total won is
    min(winners, total tickets)."""
    draw = explain_tickets(seed, sale_id, entries, winners)
    return [(entry.account, entry.won) for entry in draw.entries]


def box_roll(seed: bytes, sale_id: int, box_serial: int, total_weight: int) -> int:
    """The roll of one box, 0 .. total_weight - 1: uniform_below over the stream of purpose
    "box" and fields (sale_id, box_serial). Each box has its own stream, so what it opens
    into does not depend on which boxes were opened before it."""
    if not 0 < total_weight <= MAX_TOTAL:
        raise ValueError("a distribution's total weight is 1 to 2**63 - 1")
    return uniform_below(DrawStream(seed, BOX, sale_id, box_serial), total_weight)


def open_box(seed: bytes, sale_id: int, box_serial: int, weights: Sequence[int]) -> int:
    """The index of the outcome box `box_serial` opens into, outcome i drawn with
    probability weights[i] / sum(weights): the outcome whose stretch of the cumulative
    weights, in order, holds the box's roll. Every weight is a positive integer."""
    if not weights:
        raise ValueError("a distribution has at least one outcome")
    if any(weight <= 0 for weight in weights):
        raise ValueError("every outcome's weight is positive")
    roll = box_roll(seed, sale_id, box_serial, sum(weights))
    reached = 0
    for index, weight in enumerate(weights):
        reached += weight
        if roll < reached:
            return index
    raise AssertionError("a roll below the total weight falls in some outcome")
