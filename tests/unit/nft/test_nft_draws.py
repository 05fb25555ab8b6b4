"""The verifiable draws of NFT primary sales: the commitment opens only with its seed, the
byte stream is the one docs/nft-draws.md describes, numbers are drawn without bias, a
subscription draw gives each entry its winning tickets, and a box opens the same way
whatever was opened before it."""

import hashlib
import hmac
import tracemalloc
from collections import Counter

import pytest

from assetport.domain.nft.draws import (
    DrawStream,
    box_roll,
    commitment,
    draw_tickets,
    explain_tickets,
    open_box,
    seed_from_hex,
    seed_problem,
    uniform_below,
    winning_tickets,
)

SEED = bytes(range(32))  # 000102...1f
SEED_HEX = SEED.hex()
SALE = 7


class Scripted:
    """A byte source that hands out given bytes and counts what was read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.taken = 0

    def read(self, count: int) -> bytes:
        chunk = self.data[self.taken : self.taken + count]
        assert len(chunk) == count, "read past the scripted bytes"
        self.taken += count
        return chunk


def reference_block(seed: bytes, purpose: bytes, fields: list[int], counter: int) -> bytes:
    """The stream's block as docs/nft-draws.md states it, written out from scratch."""
    message = b"assetport-nft-draw-v1\x00" + purpose + b"\x00"
    message += b"".join(field.to_bytes(8, "big") for field in fields)
    message += counter.to_bytes(8, "big")
    return hmac.new(seed, message, hashlib.sha256).digest()


# Commitment and reveal


def test_the_commitment_is_the_prefixed_sha256_of_the_seed() -> None:
    expected = hashlib.sha256(b"assetport-nft-seed-v1\x00" + SEED).hexdigest()
    assert commitment(SEED) == expected
    assert seed_problem(SEED, expected) is None


def test_a_revealed_seed_must_open_the_commitment() -> None:
    committed = commitment(SEED)
    other = bytes(32)
    assert seed_problem(other, committed) == "the seed does not hash to the commitment"
    assert seed_problem(SEED[:31], committed) == "a seed is 32 bytes (64 hex digits)"
    assert seed_problem(SEED, committed.upper()) == "a commitment is 64 lower-case hex digits"
    assert seed_problem(SEED, committed[:-1]) == "a commitment is 64 lower-case hex digits"
    # The bare SHA-256 of the seed, without the prefix, is not the commitment.
    assert seed_problem(SEED, hashlib.sha256(SEED).hexdigest()) is not None


def test_a_seed_of_another_length_has_no_commitment() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        commitment(b"short")


def test_a_seed_is_64_lower_case_hex_digits_at_the_edge() -> None:
    assert seed_from_hex(SEED_HEX) == SEED
    for text in (SEED_HEX.upper(), SEED_HEX[:-1], SEED_HEX + "0", "zz" * 32, "0" * 10_000):
        with pytest.raises(ValueError, match="64 lower-case hex"):
            seed_from_hex(text)


# The byte stream


def test_the_stream_is_hmac_sha256_in_counter_mode() -> None:
    stream = DrawStream(SEED, "tickets", SALE)
    expected = b"".join(reference_block(SEED, b"tickets", [SALE], i) for i in range(3))
    # Reads of any size take the blocks' bytes in order, across block boundaries.
    assert stream.read(5) + stream.read(30) + stream.read(0) + stream.read(61) == expected
    box = DrawStream(SEED, "box", SALE, 3)
    assert box.read(32) == reference_block(SEED, b"box", [SALE, 3], 0)


def test_each_purpose_sale_and_box_has_its_own_stream() -> None:
    firsts = {
        DrawStream(SEED, "tickets", SALE).read(32),
        DrawStream(SEED, "tickets", SALE + 1).read(32),
        DrawStream(SEED, "box", SALE, 0).read(32),
        DrawStream(SEED, "box", SALE, 1).read(32),
        DrawStream(bytes(32), "tickets", SALE).read(32),
    }
    assert len(firsts) == 5


@pytest.mark.parametrize(
    ("seed", "purpose", "fields", "reason"),
    [
        (SEED[:16], "tickets", (1,), "32 bytes"),
        (SEED, "", (1,), "purpose"),
        (SEED, "tick\0ets", (1,), "purpose"),
        (SEED, "billets-doux é", (1,), "purpose"),
        (SEED, "x" * 33, (1,), "purpose"),
        (SEED, "tickets", (-1,), "field"),
        (SEED, "tickets", (2**64,), "field"),
    ],
)
def test_a_stream_refuses_what_it_cannot_encode(
    seed: bytes, purpose: str, fields: tuple[int, ...], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        DrawStream(seed, purpose, *fields)


def test_uniform_below_rejects_rather_than_folds() -> None:
    # n = 3: two bits of one byte; 3 (0b11) is out of range, so it is read again, never
    # folded by a modulo (which would make 0 twice as likely as 2).
    source = Scripted(bytes([0xFF, 0x07, 0xFE]))
    assert uniform_below(source, 3) == 2
    assert source.taken == 3


def test_uniform_below_reads_just_the_bytes_it_needs() -> None:
    nothing = Scripted(b"")
    assert uniform_below(nothing, 1) == 0
    assert nothing.taken == 0
    one = Scripted(bytes([0xAB]))
    assert uniform_below(one, 256) == 0xAB
    two = Scripted(bytes([0xFF, 0x00]))  # n = 257: the low 9 bits of two bytes, big-endian
    assert uniform_below(two, 257) == 256
    eight = Scripted(bytes([0xFF] * 8))
    assert uniform_below(eight, 2**64) == 2**64 - 1


@pytest.mark.parametrize("n", [0, -1, 2**64 + 1])
def test_uniform_below_needs_a_range_it_can_draw_from(n: int) -> None:
    with pytest.raises(ValueError, match="n is 1 to 2"):
        uniform_below(DrawStream(SEED, "tickets", SALE), n)


def test_uniform_below_gives_every_value_its_share() -> None:
    # A fixed seed, so this is the same every run: 6,000 draws below 3 land near 2,000 each.
    stream = DrawStream(SEED, "sanity", 0)
    counts = Counter(uniform_below(stream, 3) for _ in range(6_000))
    assert sorted(counts) == [0, 1, 2]
    assert all(1_800 < count < 2_200 for count in counts.values())


# Subscription draws

ENTRIES = [(1000, 3), (1001, 5), (1002, 2)]


def test_a_draw_gives_each_entry_its_winning_tickets_in_entry_order() -> None:
    draw = explain_tickets(SEED, SALE, ENTRIES, 4)
    assert draw.total == 10
    assert [(e.account, e.first, e.tickets) for e in draw.entries] == [
        (1000, 0, 3),
        (1001, 3, 5),
        (1002, 8, 2),
    ]
    for entry in draw.entries:
        mine = [t for t in draw.winning if entry.first <= t < entry.first + entry.tickets]
        assert entry.won == len(mine)
    assert draw_tickets(SEED, SALE, ENTRIES, 4) == [(e.account, e.won) for e in draw.entries]


def test_the_order_of_subscription_is_part_of_the_draw() -> None:
    # The same ticket numbers win (they depend on the seed, the sale and the total), but
    # who holds them follows the journaled order.
    assert winning_tickets(SEED, SALE, 10, 4) == [5, 9, 6, 1]
    assert draw_tickets(SEED, SALE, ENTRIES, 4) == [(1000, 1), (1001, 2), (1002, 1)]
    reordered = [(1002, 2), (1000, 3), (1001, 5)]
    assert draw_tickets(SEED, SALE, reordered, 4) == [(1002, 1), (1000, 0), (1001, 3)]


def test_when_there_are_enough_winners_every_ticket_wins() -> None:
    assert draw_tickets(SEED, SALE, ENTRIES, 10) == [(1000, 3), (1001, 5), (1002, 2)]
    assert draw_tickets(SEED, SALE, ENTRIES, 1_000) == [(1000, 3), (1001, 5), (1002, 2)]
    assert explain_tickets(SEED, SALE, ENTRIES, 11).winning == list(range(10))


def test_no_winners_and_no_entries_draw_nothing() -> None:
    assert draw_tickets(SEED, SALE, ENTRIES, 0) == [(1000, 0), (1001, 0), (1002, 0)]
    assert draw_tickets(SEED, SALE, [], 5) == []


@pytest.mark.parametrize(
    ("entries", "winners", "reason"),
    [
        ([(1000, 3), (1000, 2)], 1, "once"),
        ([(1000, 0)], 1, "at least one ticket"),
        ([(1000, -4)], 1, "at least one ticket"),
        ([(1000, 3)], -1, "negative"),
        ([(1000, 2**63)], 1, "tickets are 0 to"),
    ],
)
def test_a_draw_refuses_entries_it_cannot_number(
    entries: list[tuple[int, int]], winners: int, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        draw_tickets(SEED, SALE, entries, winners)


def test_a_draw_checks_its_seed_and_sale_even_when_every_ticket_wins() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        draw_tickets(SEED[:8], SALE, ENTRIES, 100)
    with pytest.raises(ValueError, match="field"):
        draw_tickets(SEED, -1, ENTRIES, 100)


def test_a_million_tickets_are_drawn_without_a_list_of_a_million() -> None:
    entries = [(1000, 999_990), (1001, 10)]
    tracemalloc.start()
    try:
        won = draw_tickets(SEED, SALE, entries, 10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(count for _, count in won) == 10
    assert peak < 100_000  # bytes: a list of a million tickets would take 8 MB and more


def test_drawing_more_winners_extends_the_draw_order() -> None:
    # What a page shows as "drawn first" stays first however many winners the sale has.
    assert winning_tickets(SEED, SALE, 1_000, 5) == winning_tickets(SEED, SALE, 1_000, 8)[:5]


# Mystery boxes


def test_a_box_opens_the_same_whichever_boxes_were_opened_before() -> None:
    weights = [60, 30, 9, 1]
    in_order = [open_box(SEED, SALE, serial, weights) for serial in range(50)]
    backwards = [open_box(SEED, SALE, serial, weights) for serial in reversed(range(50))]
    assert backwards[::-1] == in_order


def test_a_box_opens_into_the_outcome_whose_stretch_holds_its_roll() -> None:
    weights = [60, 30, 9, 1]  # rolls 0-59, 60-89, 90-98, 99
    for serial in range(40):
        roll = box_roll(SEED, SALE, serial, 100)
        expected = 0 if roll < 60 else 1 if roll < 90 else 2 if roll < 99 else 3
        assert open_box(SEED, SALE, serial, weights) == expected


def test_every_outcome_of_an_even_distribution_turns_up() -> None:
    # Fixed seeds, so not a matter of luck: 200 boxes of four equal outcomes show all four.
    for seed in (SEED, bytes(32), bytes([0xFF] * 32)):
        opened = Counter(open_box(seed, SALE, serial, [1, 1, 1, 1]) for serial in range(200))
        assert sorted(opened) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("weights", "reason"),
    [
        ([], "at least one outcome"),
        ([5, 0, 5], "positive"),
        ([5, -1], "positive"),
        ([2**62, 2**62], "total weight"),
    ],
)
def test_a_distribution_needs_positive_weights(weights: list[int], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        open_box(SEED, SALE, 0, weights)


# Known answers. These pin the scheme itself: every past sale was drawn with it, and its
# users verify their draws against it. If one of these fails, the change broke the
# verification of every sale already drawn: do not update the numbers; put a new scheme
# beside this one under new prefixes (-v2) and keep this one for the old sales.


def test_known_answers() -> None:
    assert commitment(SEED) == "0c7e7b8bced4a43215a52c6ec821e444c07f153ef71a2ee743a3665fe7704ab9"
    assert DrawStream(SEED, "tickets", SALE).read(32).hex() == (
        "f5ce88c46666d76cffec6a3de33f4aa5346e32cadad3d99d1f7061ce2bb2c1fb"
    )
    assert DrawStream(SEED, "box", SALE, 0).read(32).hex() == (
        "f474f299b87a065285bda8065c2bbbce597e2b1a6796d838eae26775662035a0"
    )
    assert winning_tickets(SEED, SALE, 1_000_000, 10) == [
        380552, 288359, 486657, 813632, 212814, 341107, 183008, 252324, 928698, 129844,
    ]  # fmt: skip
    assert winning_tickets(SEED, 8, 1_000_000, 3) == [719872, 208799, 377391]
    assert draw_tickets(SEED, SALE, ENTRIES, 4) == [(1000, 1), (1001, 2), (1002, 1)]
    assert [box_roll(SEED, SALE, serial, 100) for serial in range(12)] == [
        25, 5, 98, 87, 7, 42, 83, 1, 80, 2, 43, 5,
    ]  # fmt: skip
    assert [open_box(SEED, SALE, serial, [60, 30, 9, 1]) for serial in range(12)] == [
        0, 0, 2, 1, 0, 0, 1, 0, 1, 0, 0, 0,
    ]  # fmt: skip
