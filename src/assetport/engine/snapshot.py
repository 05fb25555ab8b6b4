"""The engine's whole state as canonical bytes, and back: the core's part (the last seq, the
listed assets, the ledger's balances) and one section per product, each encoded and
restored by its product. `state_hash()` is the SHA-256 of these bytes, so it covers every
section.

The frame is version 1's, byte for byte, so that a journal or snapshot written before the
products (issue #14) gives the same state hash: the sections of the first two products,
spot and funds, keep the places their fields had then (`SpotSection`'s and `FundsSection`'s
fields below), and every product added since has its section under its name in the map at
the end, which is left out while no product has anything in it. What spot gained since
(fees in quote, order lists) is in that map too, under `SPOT_QUOTE_FEES` and
`SPOT_ORDER_LISTS`, while there is any.
"""

from typing import Any

import msgspec
from msgspec.structs import astuple

from assetport.domain.assets import Asset
from assetport.engine.funds.section import FundsSection
from assetport.engine.spot.section import MarketSnapshot, OrderLists, QuoteFees, SpotSection

STATE_VERSION = 1
# The products whose sections have fixed places in the version 1 frame.
SPOT = "spot"
FUNDS = "funds"
# Spot's part written after version 1, in the map of later sections.
SPOT_QUOTE_FEES = "spot.quote_fees"
SPOT_ORDER_LISTS = "spot.order_lists"
# Section names in the map that belong to a product of another name.
PARTS = {SPOT_QUOTE_FEES: SPOT, SPOT_ORDER_LISTS: SPOT}


class EngineState(msgspec.Struct, array_like=True):
    version: int
    last_seq: int
    next_order_id: int  # spot
    next_prevented_id: int  # spot
    assets: list[Asset]
    markets: list[MarketSnapshot]  # spot
    balances: list[tuple[int, str, int, int]]  # (account, asset, free, held)
    account_fees: list[tuple[int, int, int]]  # spot
    transfers: list[tuple[str, str, int, str, int]]  # funds
    # Every later product's section, by name (sorted), as its own encoded bytes.
    sections: dict[str, msgspec.Raw] = {}


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(EngineState)


def encode_state(state: EngineState) -> bytes:
    fields = astuple(state)
    if not state.sections:
        fields = fields[:-1]  # the frame as version 1 wrote it
    return _encoder.encode(fields)


def decode_state(data: bytes) -> EngineState:
    state = _decoder.decode(data)
    if state.version != STATE_VERSION:
        raise ValueError(f"snapshot version {state.version}, this engine reads {STATE_VERSION}")
    return state


def frame(
    last_seq: int,
    assets: list[Asset],
    balances: list[tuple[int, str, int, int]],
    sections: dict[str, Any],
) -> EngineState:
    """The state of the core and of each product (name -> its section, None when empty)."""
    spot: SpotSection = sections[SPOT]
    funds: FundsSection = sections[FUNDS]
    parts = dict(sections)
    del parts[SPOT], parts[FUNDS]
    parts[SPOT_QUOTE_FEES] = spot.quote_fees
    parts[SPOT_ORDER_LISTS] = spot.order_lists
    later = {
        name: msgspec.Raw(_encoder.encode(section))
        for name, section in sorted(parts.items())
        if section is not None
    }
    return EngineState(
        STATE_VERSION,
        last_seq,
        spot.next_order_id,
        spot.next_prevented_id,
        assets,
        spot.markets,
        balances,
        spot.account_fees,
        funds.transfers,
        later,
    )


def section_in(state: EngineState, name: str, section_type: type) -> Any:
    """The named product's section in the state, decoded as `section_type`; None when the
    state has none (a product added after the snapshot was written)."""
    if name == SPOT:
        quote_fees = state.sections.get(SPOT_QUOTE_FEES)
        order_lists = state.sections.get(SPOT_ORDER_LISTS)
        return SpotSection(
            state.next_order_id,
            state.next_prevented_id,
            state.markets,
            state.account_fees,
            None if quote_fees is None else msgspec.msgpack.decode(quote_fees, type=QuoteFees),
            None if order_lists is None else msgspec.msgpack.decode(order_lists, type=OrderLists),
        )
    if name == FUNDS:
        return FundsSection(state.transfers)
    raw = state.sections.get(name)
    return None if raw is None else msgspec.msgpack.decode(raw, type=section_type)
