"""The FIX wire code fuzzed: random and mutated FIX bytes thrown at the framer, and at
live sessions of a real server, which must answer only with well-formed FIX (a Reject, a
Logout, what the message asked for), close what it cannot read, and stay up."""

import contextlib
import socket
from typing import Any

from fix_support import FixClient, Ports, ed25519_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetport.api.fix.limits import FixLimits
from assetport.api.fix.wire import Framer, Garbled, Message, Unframeable

LIMITS = FixLimits()
# What a session may send back: nothing else, and always from SPOT.
ANSWERS = {"A", "0", "1", "3", "5", "8", "9", "r", "XLR", "B"}

BASES: list[tuple[str, list[tuple[int, Any]]]] = [
    ("D", [(11, "fz-1"), (38, "1"), (40, 2), (44, "1000"), (54, 1), (55, "KGLDKRW"), (59, 1)]),
    ("F", [(11, "fz-2"), (41, "fz-1"), (55, "KGLDKRW")]),
    (
        "XCN",
        [(25033, 1), (41, "fz-1"), (11, "fz-3"), (38, "1"), (40, 1), (54, 2), (55, "KGLDKRW")],
    ),
    ("q", [(11, "fz-4"), (55, "KGLDKRW"), (530, 1)]),
    ("XLQ", [(6136, "fz-5")]),
    ("1", [(112, "fz-6")]),
    ("5", []),
]

mutation = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=255),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, position, byte in mutations:
        at = position % (len(out) + 1)
        if kind == "flip" and at < len(out):
            out[at] = byte
        elif kind == "insert":
            out[at:at] = bytes([byte])
        elif kind == "delete" and at < len(out):
            del out[at]
        elif kind == "truncate":
            del out[at:]
        elif kind == "repeat":
            out += out[at:]
    return bytes(out)


def frames(data: bytes, cuts: list[int]) -> list[Message | Garbled]:
    """What the framer makes of `data` fed in pieces; only its own refusal escapes."""
    framer = Framer(LIMITS.max_message_bytes, LIMITS.max_fields)
    out: list[Message | Garbled] = []
    start = 0
    try:
        for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
            out.extend(framer.feed(data[start:cut]))
            start = max(start, cut)
            # Never more than one message's worth of bytes held.
            assert len(framer._buffer) <= LIMITS.max_message_bytes + 64
    except Unframeable:
        pass
    return out


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=0), max_size=5))
def test_framer_takes_any_bytes(data: bytes, cuts: list[int]) -> None:
    for item in frames(data, cuts):
        assert isinstance(item, (Message, Garbled))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(BASES),
    st.lists(mutation, max_size=4),
    st.lists(st.integers(min_value=0), max_size=5),
)
def test_framer_takes_mutated_messages(
    base: tuple[str, list[tuple[int, Any]]], mutations: list[tuple[str, int, int]], cuts: list[int]
) -> None:
    client = FixClient.__new__(FixClient)
    client.sender, client.seq = "FUZZ", 2
    data = mutate(client.encode(*base), mutations)
    for item in frames(data, cuts):
        if isinstance(item, Message):
            assert item.fields[2][0] == 35 and item.fields[0] == (8, "FIX.4.4")


def exchange(fix: Ports, user: Any, logged_on: bool, data: bytes) -> list[Any]:
    """Send `data` on a new connection (after a logon, or as its first bytes), then a
    TestRequest and the end of input; everything the server answers until it closes."""
    with FixClient(fix.order_entry) as client:
        if logged_on:
            assert client.logon(user).msg_type == "A"
        # The server may have closed already (what it cannot frame ends the session).
        with contextlib.suppress(OSError):
            client.sock.sendall(data)
            client.send("1", [(112, "fuzz-end")])
            client.sock.shutdown(socket.SHUT_WR)
        return client.rest(timeout=10)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.booleans(),
    st.one_of(
        st.binary(max_size=300).map(lambda b: (None, [], b)),
        st.tuples(st.sampled_from(BASES), st.lists(mutation, min_size=1, max_size=3), st.just(b"")),
    ),
)
def test_live_sessions_answer_garbage_sanely(
    fix: Ports, logged_on: bool, case: tuple[Any, list[tuple[str, int, int]], bytes]
) -> None:
    user = fuzz_user(fix)
    base, mutations, raw = case
    if base is None:
        data = raw
    else:
        encoder = FixClient.__new__(FixClient)
        encoder.sender, encoder.seq = "FZ", 2
        data = mutate(encoder.encode(*base), mutations)
    for answer in exchange(fix, user, logged_on, data):
        assert answer.msg_type in ANSWERS, answer
        assert answer[49] == "SPOT" and answer[8] == "FIX.4.4"
    # The server is still up and still answers a healthy session.
    with FixClient(fix.order_entry) as client:
        client.logon(user)
        client.send("1", [(112, "alive")])
        assert client.until("0")[112] == "alive"


_users: dict[int, Any] = {}


def fuzz_user(fix: Ports) -> Any:
    """One funded Ed25519 user for every example (made on the first)."""
    if id(fix) not in _users:
        _users[id(fix)] = ed25519_user(fix.server, "fix-fuzz", KRW="1000000", KGLD="10")
    return _users[id(fix)]
