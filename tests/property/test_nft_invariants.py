"""For any sequence of NFT marketplace commands (collections minted into, items given away,
listed, bought in part or whole, offers on an item, a collection or a trait made, accepted and
canceled, English and Dutch auctions bid on, bought now, canceled and ended by the clock,
listings and offers expiring), after every command:

- the ledger sums to zero per asset, and every held unit is an offer's or a bid's hold;
- every unit of every item is in exactly one place: held free by one account, or set aside in
  one open listing or one running auction (an ERC-721 item has exactly one owner or escrow);
- every sale paid each royalty receiver exactly its share of the collection's royalty, the fee
  account exactly the fee, and the seller the rest, the parts adding up to what the buyer paid;
- balances rebuilt from the postings of the events alone equal the engine's ledger.

And at the end, a snapshot restores to the same bytes and a replay of the same commands ends
in the same state.
"""

import msgspec
from hypothesis import event as note_event
from hypothesis import given, settings
from hypothesis import strategies as st

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    AcceptNftOffer,
    BidNft,
    BuyDrop,
    BuyNft,
    CancelNftAuction,
    CancelNftListing,
    CancelNftOffer,
    Command,
    CompleteNftWithdrawal,
    CreateCollection,
    CreateDrop,
    CreditNftDeposit,
    Deposit,
    FailNftWithdrawal,
    ListAsset,
    ListNft,
    MakeNftOffer,
    MintNfts,
    RevealDropSeed,
    SetNftFee,
    SettleNfts,
    StartNftAuction,
    TransferNft,
    WithdrawNft,
)
from assetport.domain.events import NftSold
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.draws import commitment
from assetport.domain.nft.drops import DropKind, DropTerms
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import (
    AuctionKind,
    AuctionTerms,
    ListingTerms,
    NftSaleKind,
    OfferTerms,
    dutch_price,
    next_minimum_bid,
)
from assetport.domain.postings import PostingRules
from assetport.engine.engine import Engine

CREATOR = 1000
USERS = (1001, 1002, 1003, 1004)
EVERYONE = (CREATOR, *USERS)
MINUTE = 60_000_000
SPLIT = (RoyaltyShare(CREATOR, 300), RoyaltyShare(1005, 150), RoyaltyShare(1006, 50))
ART = Collection("label-art", CREATOR, "Label art", "", "", Standard.ERC721, "KRW", SPLIT)
GAME = Collection("studio-items", 1004, "Studio items", "", "", Standard.ERC1155, "KRW",
                  (RoyaltyShare(1004, 250),))  # fmt: skip
COLORS = ("red", "blue", "gold")
SEED = bytes(range(32))
PRIMARY = (NftSaleKind.DROP, NftSaleKind.DRAW, NftSaleKind.BOX)

accounts = st.sampled_from(EVERYONE)
token = st.integers(0, 11)
price = st.integers(1, 50_000)
quantity = st.integers(1, 4)
pick = st.integers(0, 50)  # an index into what is open or held, modulo its size
ops = st.one_of(
    st.tuples(st.just("mint"), st.integers(1, 4)),
    st.tuples(st.just("give"), token, pick, quantity, accounts),
    st.tuples(st.just("list"), token, pick, quantity, price, st.integers(0, 6)),
    st.tuples(st.just("unlist"), pick, st.booleans()),
    st.tuples(st.just("buy"), accounts, pick, quantity, st.booleans()),
    st.tuples(
        st.just("offer"),
        accounts,
        st.sampled_from(["item", "any", "trait"]),
        token,
        quantity,
        price,
        st.integers(0, 6),
    ),
    st.tuples(st.just("unoffer"), pick, st.booleans()),
    st.tuples(st.just("accept"), pick, pick, quantity),
    st.tuples(
        st.just("auction"),
        token,
        pick,
        st.booleans(),
        price,
        st.integers(1, 8),
        st.booleans(),
        st.booleans(),
    ),
    # A bid at a multiple (in tenths) of the least the auction takes now.
    st.tuples(st.just("bid"), accounts, pick, st.integers(8, 50)),
    st.tuples(st.just("unauction"), pick, st.booleans()),
    st.tuples(st.just("wait"), st.integers(0, 10)),
    st.tuples(st.just("fee"), st.integers(0, 300)),
    # A listing bought at once, and an auction bid on then ended: sales of every run.
    st.tuples(st.just("sell"), token, pick, quantity, price, accounts, quantity),
    st.tuples(st.just("auction_bid"), token, pick, st.booleans(), price, accounts, accounts),
    # Primary sales: a drop of some of the creators' units, entered, revealed (or not).
    st.tuples(
        st.just("drop"),
        st.sampled_from(list(DropKind)),
        st.lists(token, min_size=1, max_size=3, unique=True),
        st.integers(0, 3),
        st.booleans(),
    ),
    st.tuples(st.just("enter"), accounts, pick, quantity),
    st.tuples(st.just("reveal"), pick, st.booleans()),
    st.tuples(st.just("drop_run"), st.sampled_from(list(DropKind)), token, accounts, accounts),
    # To a chain and back: withdrawn (then sent, or failed), deposited again.
    st.tuples(st.just("withdraw"), token, pick, quantity, st.booleans()),
    st.tuples(st.just("deposit_back"), pick, accounts, quantity),
)


def expected_shares(total: int, fee_bps: int, collection: Collection) -> tuple[int, list[int]]:
    """The fee and each receiver's share, computed here from the documented rule."""
    royalty_bps = sum(share.bps for share in collection.royalty)
    if not royalty_bps:
        return total * fee_bps // 10_000, []
    royalty = total * royalty_bps // 10_000
    shares = [royalty * share.bps // royalty_bps for share in collection.royalty]
    shares[0] += royalty - sum(shares)
    return total * fee_bps // 10_000, shares


class Run:
    def __init__(self) -> None:
        self.engine = Engine()
        self.commands: list[tuple[int, Command]] = []
        self.seq = 0
        self.time = 1_700_000_000_000_000
        self.fee_bps = 100
        self.minted = {ART.code: 0, GAME.code: 0}
        self.rules = PostingRules()
        self.rebuilt: dict[tuple[int, str], int] = {}
        self.sales = 0
        self.refs = 0

    def do(self, command: Command) -> None:
        self.seq += 1
        self.time += 1_000
        self.commands.append((self.time, command))
        events = self.engine.apply(self.seq, self.time, command)
        for event in events:
            for line in self.rules.postings(event):
                key = (line.account, line.asset)
                self.rebuilt[key] = self.rebuilt.get(key, 0) + line.amount
            if isinstance(event, NftSold):
                self.check_sale(event)
        self.check()

    def check_sale(self, sale: NftSold) -> None:
        self.sales += 1
        collection = ART if sale.collection == ART.code else GAME
        if sale.kind in PRIMARY or sale.seller == collection.creator:  # no royalty
            assert sale.seller == collection.creator
            collection = msgspec.structs.replace(collection, royalty=())
        fee, shares = expected_shares(sale.total, self.fee_bps, collection)
        assert sale.total == sale.price * sale.quantity
        assert sale.fee == fee
        assert [units for _, units in sale.royalties] == shares
        assert [account for account, _ in sale.royalties] == [s.account for s in collection.royalty]
        assert sale.fee + sum(shares) + sale.seller_receives == sale.total
        assert sale.seller != sale.buyer

    def check(self) -> None:
        engine = self.engine
        assert not any(engine.ledger_totals().values())
        held: dict[tuple[int, str], int] = {}
        for hold in engine.holds():
            held[hold.account, hold.asset] = held.get((hold.account, hold.asset), 0) + hold.amount
        assert held == {(a, asset): h for a, asset, _, h in engine.balances() if h}
        ledger = {(a, asset): free + h for a, asset, free, h in engine.balances() if free or h}
        assert {key: units for key, units in self.rebuilt.items() if units} == ledger
        state = engine.nft.state
        placed: dict[tuple[str, int], int] = {}  # units set aside per item
        escrows: dict[tuple[str, int], int] = {}  # listings, auctions and drops per item
        for (code, token_id), units in state.outside.items():
            placed[(code, token_id)] = placed.get((code, token_id), 0) + units
            escrows[(code, token_id)] = escrows.get((code, token_id), 0) + 1
        for w in state.withdrawals.values():
            key = (w.collection, w.token_id)
            placed[key] = placed.get(key, 0) + w.quantity
            escrows[key] = escrows.get(key, 0) + 1
        for drop in state.drops.values():
            for (token_id, _), left in zip(drop.terms.lots, drop.left, strict=True):
                key = (drop.terms.collection, token_id)
                placed[key] = placed.get(key, 0) + left
                escrows[key] = escrows.get(key, 0) + (left > 0)
        for listing in state.listings.values():
            key = (listing.terms.collection, listing.terms.token_id)
            placed[key] = placed.get(key, 0) + listing.remaining
            escrows[key] = escrows.get(key, 0) + 1
            assert listing.remaining > 0
        for auction in state.auctions.values():
            key = (auction.terms.collection, auction.terms.token_id)
            placed[key] = placed.get(key, 0) + auction.terms.quantity
            escrows[key] = escrows.get(key, 0) + 1
        for key, item in state.items.items():
            assert all(units > 0 for units in item.owners.values())
            assert sum(item.owners.values()) + placed.pop(key, 0) == item.spec.supply
            if item.spec.supply == 1:  # one owner, or in one listing, auction or drop
                assert len(item.owners) + escrows.get(key, 0) == 1
        assert not placed  # nothing escrowed of an item that does not exist

    def setup(self) -> None:
        self.do(ListAsset("KRW", 0, AssetKind.FIAT))
        for account in EVERYONE:
            self.do(Deposit(account, "KRW", 2_000_000, f"d{account}"))
        self.do(CreateCollection(ART))
        self.do(CreateCollection(GAME))

    def mint(self, count: int) -> None:
        for collection, creator, supply in ((ART, CREATOR, 1), (GAME, 1004, 5)):
            first = self.minted[collection.code]
            specs = tuple(
                ItemSpec(i, supply, f"#{i}", "", "", (Trait("Color", COLORS[i % 3]),))
                for i in range(first, first + count)
            )
            self.minted[collection.code] = first + count
            self.do(MintNfts(creator, collection.code, creator, specs))

    def holder(self, code: str, token_id: int, index: int) -> int:
        """One of the accounts holding free units of the item (a stranger when none)."""
        item = self.engine.nft.state.item(code, token_id)
        owners = sorted(item.owners) if item is not None else []
        return owners[index % len(owners)] if owners else USERS[index % len(USERS)]

    @staticmethod
    def nth(ids: list[int], index: int) -> int:
        return sorted(ids)[index % len(ids)] if ids else 1

    def apply(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        state = self.engine.nft.state
        if kind == "mint":
            self.mint(op[1])
        elif kind == "give":
            _, token_id, who, qty, to = op
            code = collection_of(token_id)
            self.do(TransferNft(self.holder(code, token_id, who), code, token_id, qty, to))
        elif kind == "list":
            _, token_id, who, qty, each, minutes = op
            code = collection_of(token_id)
            expires = self.time + minutes * MINUTE if minutes else 0
            seller = self.holder(code, token_id, who)
            self.do(ListNft(seller, ListingTerms(code, token_id, qty, each, expires)))
        elif kind == "unlist":
            listing_id = self.nth(list(state.listings), op[1])
            listing = state.listings.get(listing_id)
            owner = listing.account if listing is not None and op[2] else USERS[0]
            self.do(CancelNftListing(owner, listing_id))
        elif kind == "buy":
            _, buyer, index, qty, confirm = op
            listing_id = self.nth(list(state.listings), index)
            listing = state.listings.get(listing_id)
            confirmed = listing.terms.price if listing is not None and confirm else 1
            self.do(BuyNft(buyer, listing_id, qty, confirmed))
        elif kind == "offer":
            _, buyer, scope, token_id, qty, each, minutes = op
            expires = self.time + minutes * MINUTE if minutes else 0
            trait = Trait("Color", COLORS[token_id % 3]) if scope == "trait" else None
            target = token_id if scope == "item" else None
            terms = OfferTerms(collection_of(token_id), target, qty, each, expires, trait)
            self.do(MakeNftOffer(buyer, terms))
        elif kind == "unoffer":
            offer_id = self.nth(list(state.offers), op[1])
            offer = state.offers.get(offer_id)
            owner = offer.account if offer is not None and op[2] else USERS[1]
            self.do(CancelNftOffer(owner, offer_id))
        elif kind == "accept":
            _, index, which, qty = op
            offer_id = self.nth(list(state.offers), index)
            offer = state.offers.get(offer_id)
            code = offer.terms.collection if offer is not None else ART.code
            token_id = (
                offer.terms.token_id if offer and offer.terms.token_id is not None else which % 12
            )
            self.do(AcceptNftOffer(self.holder(code, token_id, which), offer_id, token_id, qty))
        else:
            self.apply_auction(op)

    def apply_auction(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        state = self.engine.nft.state
        if kind == "auction":
            _, token_id, who, dutch, start, minutes, reserve, buy_now = op
            code = collection_of(token_id)
            begins = self.time + 1_000  # the time `do` stamps on the command
            ends = begins + minutes * MINUTE
            if dutch:
                terms = AuctionTerms(code, token_id, 1, AuctionKind.DUTCH, start + 10, begins, ends,
                                     end_price=max(1, start // 2))  # fmt: skip
            else:
                terms = AuctionTerms(code, token_id, 1, AuctionKind.ENGLISH, start, begins, ends,
                                     reserve_price=start * 2 if reserve else 0,
                                     extend_within_us=MINUTE, extension_us=2 * MINUTE,
                                     buy_now_price=start * 4 if buy_now else 0)  # fmt: skip
            self.do(StartNftAuction(self.holder(code, token_id, who), terms))
        elif kind == "bid":
            _, bidder, index, tenths = op
            auction_id = self.nth(list(state.auctions), index)
            auction = state.auctions.get(auction_id)
            least = 1
            if auction is not None and auction.terms.kind is AuctionKind.DUTCH:
                least = dutch_price(auction.terms, self.time + 1_000)
            elif auction is not None:
                least = next_minimum_bid(auction.terms, auction.bid)
            self.do(BidNft(bidder, auction_id, max(1, least * tenths // 10)))
        elif kind == "unauction":
            auction_id = self.nth(list(state.auctions), op[1])
            auction = state.auctions.get(auction_id)
            owner = auction.account if auction is not None and op[2] else USERS[2]
            self.do(CancelNftAuction(owner, auction_id))
        elif kind == "wait":
            self.time += op[1] * MINUTE
            self.do(SettleNfts())
        elif kind == "sell":
            _, token_id, who, qty, each, buyer, take = op
            self.apply(("list", token_id, who, qty, each, 0))
            self.apply(("buy", buyer, len(state.listings) - 1, take, True))
        elif kind == "auction_bid":
            _, token_id, who, dutch, start, first, second = op
            self.apply(("auction", token_id, who, dutch, start, 2, False, False))
            last = len(state.auctions) - 1
            self.apply(("bid", first, last, 10))
            self.apply(("bid", second, last, 15))
            self.apply(("wait", 3))
        elif kind == "fee":
            self.do(SetNftFee(op[1]))
            self.fee_bps = op[1]
        else:
            self.apply_drop(op)

    def apply_drop(self, op: tuple) -> None:  # type: ignore[type-arg]
        kind = op[0]
        state = self.engine.nft.state
        if kind == "drop":
            _, drop_kind, token_ids, cap, same_collection = op
            code = collection_of(token_ids[0])
            creator = CREATOR if code == ART.code else 1004
            ids = (
                [i for i in token_ids if collection_of(i) == code] if same_collection else token_ids
            )
            held = [(i, self.held_by(code, i, creator)) for i in ids]
            lots = tuple((i, units) for i, units in held if units) or ((ids[0], 1),)
            begins = self.time + 1_000
            seeded = "" if drop_kind is DropKind.FIXED else commitment(SEED)
            terms = DropTerms(
                code, drop_kind, 3_000, begins, begins + 5 * MINUTE, cap, lots, seeded
            )
            self.do(CreateDrop(creator, terms))
        elif kind == "enter":
            _, account, index, qty = op
            self.do(BuyDrop(account, self.nth(list(state.drops), index), qty))
        elif kind == "reveal":
            drop_id = self.nth(list(state.drops), op[1])
            drop = state.drops.get(drop_id)
            if drop is not None and op[2]:
                self.time = max(self.time, drop.terms.ends_us)
            self.do(RevealDropSeed(drop_id, SEED.hex()))
        elif kind == "withdraw":
            _, token_id, who, qty, sent = op
            code = collection_of(token_id)
            self.refs += 1
            holder = self.holder(code, token_id, who)
            self.do(
                WithdrawNft(holder, code, token_id, qty, "ETH", "0x" + "ab" * 20, f"w{self.refs}")
            )
            pending = max(state.withdrawals, default=0)
            if sent:
                self.do(CompleteNftWithdrawal(pending, "0x" + f"{self.refs:064x}"))
            else:
                self.do(FailNftWithdrawal(pending, "the node refused it"))
        elif kind == "deposit_back":
            _, index, account, qty = op
            out = sorted(state.outside) or [(ART.code, 0)]
            code, token_id = out[index % len(out)]
            qty = min(qty, state.outside.get((code, token_id), qty))
            self.refs += 1
            tx = "0x" + f"{self.refs:064x}"
            self.do(CreditNftDeposit(account, code, token_id, qty, "ETH", tx, 0))
            self.do(CreditNftDeposit(account, code, token_id, qty, "ETH", tx, 0))  # once only
        elif kind == "drop_run":
            _, drop_kind, token_id, first, second = op
            self.apply_drop(("drop", drop_kind, [token_id, token_id + 2], 0, True))
            last = len(state.drops) - 1
            self.apply_drop(("enter", first, last, 1))
            self.apply_drop(("enter", second, last, 2))
            self.apply_drop(("reveal", last, True))

    def held_by(self, code: str, token_id: int, account: int) -> int:
        item = self.engine.nft.state.item(code, token_id)
        return 0 if item is None else item.owners.get(account, 0)


def collection_of(token_id: int) -> str:
    """Ops name a token id; even ones are the ERC-721 art's, odd ones the game's items."""
    return ART.code if token_id % 2 == 0 else GAME.code


@settings(max_examples=500, deadline=None)
@given(st.lists(ops, min_size=10, max_size=80))
def test_nft_commands_keep_the_ledger_and_the_items_whole(program: list[tuple]) -> None:  # type: ignore[type-arg]
    run = Run()
    run.setup()
    run.mint(12)  # every token id the ops name exists, and more come
    for op in program:
        run.apply(op)
    note_event(f"sales: {min(run.sales, 3)}+")  # Everything due in the far future settles too.
    run.time += 100 * 24 * 60 * MINUTE
    run.do(SettleNfts())
    state = run.engine.nft.state
    assert not state.auctions and not [x for x in state.listings.values() if x.terms.expires_us]
    assert not [x for x in state.offers.values() if x.terms.expires_us]
    snapshot = run.engine.snapshot()
    assert Engine.restore(snapshot).snapshot() == snapshot
    replayed = Engine()
    for seq, (time, command) in enumerate(run.commands, start=1):
        replayed.apply(seq, time, command)
    assert replayed.state_hash() == run.engine.state_hash()
    # The fee account holds exactly the NFT fees (nothing else in this run pays one).
    assert run.engine.ledger.free(FEE_ACCOUNT, "KRW") >= 0


def test_the_program_above_sells_something() -> None:
    """A guard on the generator: a plain story settles sales of every kind."""
    run = Run()
    run.setup()
    run.mint(3)
    for op in [
        ("list", 0, 0, 1, 1000, 0),
        ("buy", 1001, 0, 1, True),
        ("offer", 1002, "trait", 2, 1, 700, 0),
        ("accept", 0, 2, 1),
        ("auction", 1, 0, False, 500, 3, False, False),
        ("bid", 1003, 0, 12),
        ("wait", 5),
    ]:
        run.apply(op)
    assert run.sales == 3
