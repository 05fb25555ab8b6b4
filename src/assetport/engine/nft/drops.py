"""Primary sales (`domain/nft/drops.py`): fixed-price drops, subscription draws and mystery
boxes. The creator's units are set aside when the drop is made; a fixed-price sale pays the
creator at once, a draw's tickets and a box's price are held until the operator reveals the
seed the drop committed to, and then settle from the hold: winners and box holders pay and
receive, the rest is given back."""

from assetport.domain.accounts import FIRST_USER_ACCOUNT
from assetport.domain.commands import BuyDrop, CreateDrop, RevealDropSeed
from assetport.domain.events import (
    NftBoxOpened,
    NftDropCreated,
    NftDropEnded,
    NftDropEntered,
    NftDropRefunded,
)
from assetport.domain.nft.draws import draw_tickets, seed_from_hex, seed_problem
from assetport.domain.nft.drops import (
    MAX_TICKETS,
    REVEAL_WITHIN_US,
    DropKind,
    add_entry,
    drop_problem,
    open_boxes,
)
from assetport.domain.nft.trading import NftEndReason, NftSaleKind
from assetport.domain.results import RejectReason
from assetport.engine.context import Context
from assetport.engine.nft.settlement import Settlement
from assetport.engine.nft.state import DROP, Drop, NftState, give_units, take_units

_SALE_KIND = {DropKind.FIXED: NftSaleKind.DROP, DropKind.DRAW: NftSaleKind.DRAW,
              DropKind.BOX: NftSaleKind.BOX}  # fmt: skip


def create_drop(state: NftState, ctx: Context, cmd: CreateDrop) -> None:
    t = cmd.terms
    collection = state.collections.get(t.collection)
    if collection is None:
        return ctx.reject(RejectReason.UNKNOWN_COLLECTION, account=cmd.account)
    if cmd.account != collection.creator:
        return ctx.reject(RejectReason.NOT_THE_CREATOR, account=cmd.account)
    if drop_problem(t, ctx.time) is not None:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    if not state.may_open(cmd.account):
        return ctx.reject(RejectReason.TOO_MANY_NFT_ORDERS, account=cmd.account)
    items = [state.item(t.collection, token_id) for token_id, _ in t.lots]
    if any(item is None for item in items):
        return ctx.reject(RejectReason.UNKNOWN_NFT_ITEM, account=cmd.account)
    if any(
        item is None or item.owners.get(cmd.account, 0) < units
        for item, (_, units) in zip(items, t.lots, strict=True)
    ):
        return ctx.reject(RejectReason.NFT_NOT_HELD, account=cmd.account)
    for item, (_, units) in zip(items, t.lots, strict=True):
        assert item is not None and take_units(item, cmd.account, units)
    drop_id = state.next_drop_id
    state.next_drop_id = drop_id + 1
    left = [units for _, units in t.lots]
    state.drops[drop_id] = Drop(drop_id, cmd.account, t, collection.currency, left)
    state.opened(cmd.account)
    state.due_at(t.ends_us, DROP, drop_id)
    if t.kind is not DropKind.FIXED:
        state.due_at(t.ends_us + REVEAL_WITHIN_US, DROP, drop_id)
    ctx.events.append(
        NftDropCreated(ctx.seq, ctx.time, drop_id, cmd.account, t, collection.currency)
    )
    return None


def buy_drop(state: NftState, ctx: Context, settlement: Settlement, cmd: BuyDrop) -> None:
    drop = state.drops.get(cmd.drop_id)
    if drop is None:
        return ctx.reject(RejectReason.UNKNOWN_NFT_DROP, account=cmd.account)
    t = drop.terms
    if not t.starts_us <= ctx.time < t.ends_us:
        return ctx.reject(RejectReason.DROP_NOT_OPEN, account=cmd.account)
    if cmd.account == drop.account:
        return ctx.reject(RejectReason.NFT_SELF_TRADE, account=cmd.account)
    if cmd.quantity <= 0:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS, account=cmd.account)
    # The platform's own accounts could know a seed before it is revealed: they stay out.
    taken = drop.taken.get(cmd.account, 0)
    if cmd.account < FIRST_USER_ACCOUNT or (t.per_account and taken + cmd.quantity > t.per_account):
        return ctx.reject(RejectReason.DROP_LIMIT, account=cmd.account)
    if t.kind is DropKind.FIXED:
        return _buy_units(state, ctx, settlement, drop, cmd)
    limit = t.units if t.kind is DropKind.BOX else MAX_TICKETS
    if drop.entered + cmd.quantity > limit:
        return ctx.reject(RejectReason.DROP_LIMIT, account=cmd.account)
    held = t.price * cmd.quantity
    ledger = settlement.ledger
    if ledger.free(cmd.account, drop.currency) < held:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    ledger.hold(ledger.balance(cmd.account, drop.currency), held)
    first = drop.entered + 1 if t.kind is DropKind.BOX else 0
    add_entry(drop.entries, t.kind, cmd.account, cmd.quantity)
    drop.taken[cmd.account] = taken + cmd.quantity
    ctx.events.append(
        NftDropEntered(ctx.seq, ctx.time, drop.drop_id, cmd.account, cmd.quantity, first,
                       drop.currency, held)
    )  # fmt: skip
    return None


def _buy_units(state: NftState, ctx: Context, settlement: Settlement, drop: Drop,
               cmd: BuyDrop) -> None:  # fmt: skip
    if cmd.quantity > sum(drop.left):
        return ctx.reject(RejectReason.DROP_LIMIT, account=cmd.account)
    if settlement.ledger.free(cmd.account, drop.currency) < drop.terms.price * cmd.quantity:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    drop.taken[cmd.account] = drop.taken.get(cmd.account, 0) + cmd.quantity
    _deliver(state, settlement, drop, cmd.account, cmd.quantity, False)
    if not sum(drop.left):
        end_drop(state, ctx, settlement, drop, NftEndReason.SOLD, "")
    return None


def _deliver(state: NftState, settlement: Settlement, drop: Drop, buyer: int, quantity: int,
             from_held: bool) -> None:  # fmt: skip
    """`quantity` units to the buyer, taken from the lots in order, each lot's part one sale."""
    t = drop.terms
    kind = _SALE_KIND[t.kind]
    for index, (token_id, _) in enumerate(t.lots):
        if not quantity:
            return
        part = min(quantity, drop.left[index])
        if part:
            drop.left[index] -= part
            quantity -= part
            item = state.items[(t.collection, token_id)]
            paid = settlement.sale(kind, drop.drop_id, item, part, t.price, drop.currency,
                                   drop.account, buyer, from_held, primary=True)  # fmt: skip
            assert paid, "a drop's buyer's funds are checked (or held) before it delivers"


def reveal(state: NftState, ctx: Context, settlement: Settlement, cmd: RevealDropSeed) -> None:
    drop = state.drops.get(cmd.drop_id)
    if drop is None or drop.terms.kind is DropKind.FIXED:
        return ctx.reject(RejectReason.UNKNOWN_NFT_DROP)
    if ctx.time < drop.terms.ends_us:
        return ctx.reject(RejectReason.DROP_NOT_OPEN)
    try:
        seed = seed_from_hex(cmd.seed)
    except ValueError:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS)
    if seed_problem(seed, drop.terms.commitment) is not None:
        return ctx.reject(RejectReason.INVALID_NFT_TERMS)
    if drop.terms.kind is DropKind.DRAW:
        _draw(state, ctx, settlement, drop, seed)
    else:
        _open_boxes(state, ctx, settlement, drop, seed)
    end_drop(state, ctx, settlement, drop, NftEndReason.SOLD, cmd.seed)
    return None


def _draw(state: NftState, ctx: Context, settlement: Settlement, drop: Drop, seed: bytes) -> None:
    """Winners pay for and receive what they won, in entry order; the rest is given back."""
    results = draw_tickets(seed, drop.drop_id, drop.entries, drop.terms.units)
    for (account, tickets), (_, won) in zip(drop.entries, results, strict=True):
        if won:
            _deliver(state, settlement, drop, account, won, True)
        _refund(ctx, settlement, drop, account, (tickets - won) * drop.terms.price)
    drop.entries = []


def _open_boxes(state: NftState, ctx: Context, settlement: Settlement, drop: Drop,
                seed: bytes) -> None:  # fmt: skip
    """Each box opens into one unit of the pool (`open_boxes`), and its holder pays from its
    hold."""
    t = drop.terms
    contents = iter(open_boxes(seed, drop.drop_id, t.lots, drop.entered))
    lot_of = {token_id: index for index, (token_id, _) in enumerate(t.lots)}
    serial = 0
    for account, boxes in drop.entries:
        for _ in range(boxes):
            serial += 1
            token_id = next(contents)
            drop.left[lot_of[token_id]] -= 1
            ctx.events.append(
                NftBoxOpened(ctx.seq, ctx.time, drop.drop_id, serial, account, t.collection,
                             token_id)
            )  # fmt: skip
            item = state.items[(t.collection, token_id)]
            paid = settlement.sale(NftSaleKind.BOX, drop.drop_id, item, 1, t.price, drop.currency,
                                   drop.account, account, True, primary=True)  # fmt: skip
            assert paid
    drop.entries = []


def _refund(ctx: Context, settlement: Settlement, drop: Drop, account: int, amount: int) -> None:
    if amount:
        ledger = settlement.ledger
        ledger.release(ledger.balance(account, drop.currency), amount)
        ctx.events.append(
            NftDropRefunded(ctx.seq, ctx.time, drop.drop_id, account, drop.currency, amount)
        )


def end_drop(state: NftState, ctx: Context, settlement: Settlement, drop: Drop,
             reason: NftEndReason, seed: str) -> None:  # fmt: skip
    """The sale ends: whatever is still held for it is given back, and its units not sold go
    back to the creator."""
    for account, count in drop.entries:
        _refund(ctx, settlement, drop, account, count * drop.terms.price)
    drop.entries = []
    t = drop.terms
    lots_left = zip(t.lots, drop.left, strict=True)
    returned = tuple((token_id, units) for (token_id, _), units in lots_left if units)
    for token_id, units in returned:
        give_units(state.items[(t.collection, token_id)], drop.account, units)
    del state.drops[drop.drop_id]
    state.closed(drop.account)
    ctx.events.append(
        NftDropEnded(ctx.seq, ctx.time, drop.drop_id, drop.account, t.collection, reason,
                     returned, seed)
    )  # fmt: skip


def drop_due(state: NftState, ctx: Context, settlement: Settlement, drop: Drop) -> None:
    """A deadline of the drop came: a fixed-price drop, or a draw or box sale nobody entered,
    ends with its window; one whose seed was not revealed in time is canceled."""
    t = drop.terms
    if t.kind is DropKind.FIXED or not drop.entries:
        if ctx.time >= t.ends_us:
            end_drop(state, ctx, settlement, drop, NftEndReason.EXPIRED, "")
    elif ctx.time >= t.ends_us + REVEAL_WITHIN_US:
        end_drop(state, ctx, settlement, drop, NftEndReason.NOT_REVEALED, "")
