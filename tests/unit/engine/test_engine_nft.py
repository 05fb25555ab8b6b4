"""The NFT marketplace in the engine, as its users meet it: a label's collection with a royalty
split, items minted, listed, bought, offered on, auctioned (English, with reserve, minimum
raise, anti-sniping and buy-now; Dutch, with its falling price), and every refusal the issue
names changing nothing."""

import pytest

from assetport.domain.accounts import FEE_ACCOUNT
from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    AcceptNftOffer,
    BidNft,
    BuyDrop,
    BuyNft,
    CancelNftAuction,
    Command,
    CreateCollection,
    CreateDrop,
    Deposit,
    ListAsset,
    ListNft,
    MakeNftOffer,
    MintNfts,
    RevealDropSeed,
    SetAccountIdentity,
    SetCollectionVerified,
    SettleNfts,
    StartNftAuction,
    TransferNft,
)
from assetport.domain.events import (
    CommandRejected,
    Event,
    NftAuctionEnded,
    NftBidPlaced,
    NftBoxOpened,
    NftDropEnded,
    NftDropRefunded,
    NftSold,
)
from assetport.domain.identities import AccountIdentity
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.draws import commitment, draw_tickets
from assetport.domain.nft.drops import REVEAL_WITHIN_US, DropKind, DropTerms
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import (
    AuctionKind,
    AuctionTerms,
    ListingTerms,
    NftEndReason,
    NftSaleKind,
    OfferTerms,
    dutch_price,
)
from assetport.domain.results import RejectReason
from assetport.engine.engine import Engine

LABEL, MANAGER, ALICE, BOB = 2000, 2001, 2002, 2003
MINUTE = 60_000_000
T0 = 1_800_000_000_000_000
# 7.5 % royalty, split 2:1 between the label and its artist manager.
ART = Collection("yg-moments", LABEL, "YG Moments", "Stage photos", "", Standard.ERC721, "KRW",
                 (RoyaltyShare(LABEL, 500), RoyaltyShare(MANAGER, 250)))  # fmt: skip
SWORDS = Collection("studio-swords", LABEL, "Swords", "", "", Standard.ERC1155, "KRW", ())


class Market:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.time = T0
        self.do(ListAsset("KRW", 0, AssetKind.FIAT))
        for account in (LABEL, MANAGER, ALICE, BOB):
            self.do(Deposit(account, "KRW", 1_000_000, f"fund-{account}"))
        self.do(CreateCollection(ART))
        self.do(CreateCollection(SWORDS))
        items = tuple(
            ItemSpec(i, 1, f"Moment #{i}", "", "", (Trait("Stage", "Seoul" if i % 2 else "Tokyo"),))
            for i in range(1, 6)
        )
        self.do(MintNfts(LABEL, ART.code, LABEL, items))
        self.do(MintNfts(LABEL, SWORDS.code, LABEL, (ItemSpec(7, 100, "Iron sword", "", ""),)))

    def do(self, command: Command, at: int | None = None) -> list[Event]:
        self.seq += 1
        self.time = at if at is not None else self.time + 1_000
        events = self.engine.apply(self.seq, self.time, command)
        assert not any(self.engine.ledger_totals().values())
        return events

    def refused(self, command: Command, at: int | None = None) -> RejectReason:
        market, balances = self.engine.nft.section(), self.engine.balances()
        events = self.do(command, at)
        assert len(events) == 1 and isinstance(events[0], CommandRejected), events
        # Nothing moved: no item, listing, offer, auction or balance.
        assert self.engine.nft.section() == market
        assert self.engine.balances() == balances
        return events[0].reason

    def krw(self, account: int) -> int:
        return self.engine.ledger.free(account, "KRW")

    def owner(self, token_id: int, code: str = ART.code) -> list[int]:
        item = self.engine.nft.state.item(code, token_id)
        assert item is not None
        return sorted(item.owners)

    def english(self, token_id: int, **terms: int) -> int:
        start = self.time + 1_000
        price = terms.pop("start", 10_000)
        auction = AuctionTerms(ART.code, token_id, 1, AuctionKind.ENGLISH, price, start,
                               start + 60 * MINUTE, **terms)  # fmt: skip
        self.do(StartNftAuction(LABEL, auction))
        return max(self.engine.nft.state.auctions)


def test_a_resale_pays_the_royalty_split_and_the_fee_in_one_posting() -> None:
    m = Market()
    m.do(ListNft(LABEL, ListingTerms(ART.code, 1, 1, 100_000)))
    [sale, _] = m.do(BuyNft(ALICE, 1, 1, 100_000))  # primary: the label sells
    assert isinstance(sale, NftSold) and sale.royalties == () and sale.seller_receives == 99_000
    m.do(ListNft(ALICE, ListingTerms(ART.code, 1, 1, 200_001)))
    label, manager, alice, fees = m.krw(LABEL), m.krw(MANAGER), m.krw(ALICE), m.krw(FEE_ACCOUNT)
    [resale, ended] = m.do(BuyNft(BOB, 2, 1, 200_001))
    assert isinstance(resale, NftSold) and isinstance(sale, NftSold)
    # 1 % fee rounded down: 2,000; royalty 7.5 % rounded down: 15,000, split 2:1.
    assert (resale.fee, resale.royalties, resale.seller_receives) == (
        2_000, ((LABEL, 10_000), (MANAGER, 5_000)), 183_001
    )  # fmt: skip
    assert m.krw(LABEL) - label == 10_000 and m.krw(MANAGER) - manager == 5_000
    assert m.krw(ALICE) - alice == 183_001 and m.krw(FEE_ACCOUNT) - fees == 2_000
    assert m.owner(1) == [BOB]
    assert ended.reason is NftEndReason.SOLD  # type: ignore[attr-defined]


def test_royalty_shares_round_so_the_receivers_get_exactly_the_royalty() -> None:
    m = Market()
    m.do(TransferNft(LABEL, ART.code, 2, 1, BOB))
    m.do(ListNft(BOB, ListingTerms(ART.code, 2, 1, 1_001)))
    [sale, _] = m.do(BuyNft(ALICE, 1, 1, 1_001))
    assert isinstance(sale, NftSold)
    # 7.5 % of 1,001 is 75.075 → 75; 2:1 is 50 and 25.
    assert sale.fee == 10 and sale.royalties == ((LABEL, 50), (MANAGER, 25))
    assert sale.seller_receives == 1_001 - 10 - 75


def test_erc1155_units_sell_in_part_and_the_rest_stays_listed() -> None:
    m = Market()
    m.do(ListNft(LABEL, ListingTerms(SWORDS.code, 7, 30, 500)))
    m.do(BuyNft(ALICE, 1, 10, 500))
    m.do(BuyNft(BOB, 1, 5, 500))
    assert m.engine.nft.state.listings[1].remaining == 15
    item = m.engine.nft.state.item(SWORDS.code, 7)
    assert item is not None and item.owners == {LABEL: 70, ALICE: 10, BOB: 5}
    assert m.refused(BuyNft(ALICE, 1, 16, 500)) is RejectReason.INVALID_NFT_TERMS


def test_refusals_change_nothing() -> None:
    m = Market()
    m.do(ListNft(LABEL, ListingTerms(ART.code, 1, 1, 100_000)))
    assert m.refused(BuyNft(LABEL, 1, 1, 100_000)) is RejectReason.NFT_SELF_TRADE
    assert m.refused(BuyNft(ALICE, 1, 1, 99_000)) is RejectReason.NFT_PRICE_CHANGED
    assert m.refused(BuyNft(ALICE, 9, 1, 100_000)) is RejectReason.UNKNOWN_NFT_LISTING
    # An offer bigger than the free balance.
    too_much = OfferTerms(ART.code, 2, 1, 1_000_001)
    assert m.refused(MakeNftOffer(ALICE, too_much)) is RejectReason.INSUFFICIENT_BALANCE
    # Listed units are not free: they cannot be given away or listed twice.
    assert m.refused(TransferNft(LABEL, ART.code, 1, 1, BOB)) is RejectReason.NFT_NOT_HELD
    assert m.refused(ListNft(LABEL, ListingTerms(ART.code, 1, 1, 5))) is RejectReason.NFT_NOT_HELD
    # A buyer short of funds.
    m.do(ListNft(LABEL, ListingTerms(ART.code, 3, 1, 2_000_000)))
    assert m.refused(BuyNft(ALICE, 2, 1, 2_000_000)) is RejectReason.INSUFFICIENT_BALANCE
    # Only the creator mints; a token id once.
    spec = (ItemSpec(9, 1, "x", "", ""),)
    assert m.refused(MintNfts(ALICE, ART.code, ALICE, spec)) is RejectReason.NOT_THE_CREATOR
    taken = (ItemSpec(2, 1, "again", "", ""),)
    assert m.refused(MintNfts(LABEL, ART.code, LABEL, taken)) is RejectReason.TOKEN_ID_TAKEN
    assert m.refused(SetCollectionVerified("nope", True)) is RejectReason.UNKNOWN_COLLECTION


@pytest.mark.parametrize(
    "royalty",
    [
        (RoyaltyShare(LABEL, 800), RoyaltyShare(MANAGER, 201)),  # 10.01 %
        (RoyaltyShare(LABEL, 500), RoyaltyShare(LABEL, 100)),  # one receiver twice
        tuple(RoyaltyShare(3000 + i, 10) for i in range(11)),  # eleven receivers
        (RoyaltyShare(LABEL, 0),),
    ],
)
def test_a_collection_with_a_royalty_out_of_bounds_is_refused(
    royalty: tuple[RoyaltyShare, ...],
) -> None:
    m = Market()
    bad = Collection("too-greedy", LABEL, "x", "", "", Standard.ERC721, "KRW", royalty)
    assert m.refused(CreateCollection(bad)) is RejectReason.INVALID_COLLECTION


def test_an_offer_on_a_trait_is_accepted_only_for_an_item_with_it() -> None:
    m = Market()
    seoul = OfferTerms(ART.code, None, 1, 50_000, 0, Trait("Stage", "Seoul"))
    [made] = m.do(MakeNftOffer(ALICE, seoul))
    assert m.engine.ledger.balance(ALICE, "KRW").held == 50_000
    assert m.refused(AcceptNftOffer(LABEL, 1, 2, 1)) is RejectReason.ITEM_NOT_IN_OFFER  # Tokyo
    events = m.do(AcceptNftOffer(LABEL, 1, 3, 1))
    assert isinstance(events[0], NftSold) and events[0].from_held
    assert m.owner(3) == [ALICE] and m.engine.ledger.balance(ALICE, "KRW").held == 0
    assert made is not None


def test_an_english_auction_holds_each_bid_until_it_is_beaten_and_sells_at_the_end() -> None:
    m = Market()
    auction = m.english(1, start=10_000)
    assert m.refused(BidNft(ALICE, auction, 9_999)) is RejectReason.BID_TOO_LOW
    m.do(BidNft(ALICE, auction, 10_000))
    assert m.engine.ledger.balance(ALICE, "KRW").held == 10_000
    # The next bid must raise by 5 %: 10,500.
    assert m.refused(BidNft(BOB, auction, 10_499)) is RejectReason.BID_TOO_LOW
    [bid] = m.do(BidNft(BOB, auction, 10_500))
    assert isinstance(bid, NftBidPlaced) and (bid.outbid, bid.outbid_released) == (ALICE, 10_000)
    assert m.engine.ledger.balance(ALICE, "KRW").held == 0
    assert m.refused(CancelNftAuction(LABEL, auction)) is RejectReason.AUCTION_HAS_BIDS
    ends = m.engine.nft.state.auctions[auction].ends_us
    assert m.do(SettleNfts(), at=ends - 1) == []  # not yet
    [ended, sale] = m.do(SettleNfts(), at=ends)
    assert isinstance(ended, NftAuctionEnded) and ended.reason is NftEndReason.SOLD
    assert isinstance(sale, NftSold) and sale.buyer == BOB and sale.total == 10_500
    assert m.owner(1) == [BOB] and m.engine.ledger.balance(BOB, "KRW").held == 0
    assert m.refused(BidNft(ALICE, auction, 20_000)) is RejectReason.UNKNOWN_NFT_AUCTION


def test_a_bid_after_the_end_is_refused_before_the_end_is_settled() -> None:
    m = Market()
    auction = m.english(1)
    ends = m.engine.nft.state.auctions[auction].ends_us
    assert m.refused(BidNft(ALICE, auction, 50_000), at=ends) is RejectReason.AUCTION_NOT_OPEN


def test_a_bid_in_the_last_minutes_extends_the_auction() -> None:
    m = Market()
    auction = m.english(1, extend_within_us=5 * MINUTE, extension_us=10 * MINUTE)
    ends = m.engine.nft.state.auctions[auction].ends_us
    [early] = m.do(BidNft(ALICE, auction, 10_000), at=ends - 30 * MINUTE)
    assert isinstance(early, NftBidPlaced) and early.ends_us == ends
    [late] = m.do(BidNft(BOB, auction, 11_000), at=ends - MINUTE)
    assert isinstance(late, NftBidPlaced) and late.ends_us == ends - MINUTE + 10 * MINUTE
    assert m.do(SettleNfts(), at=ends) == []  # the old end passes: it runs on
    [_, sale] = m.do(SettleNfts(), at=late.ends_us)
    assert isinstance(sale, NftSold) and sale.buyer == BOB


def test_under_the_reserve_nobody_buys_and_the_bid_comes_back() -> None:
    m = Market()
    auction = m.english(1, start=1_000, reserve_price=50_000)
    m.do(BidNft(ALICE, auction, 20_000))
    [ended] = m.do(SettleNfts(), at=m.engine.nft.state.auctions[auction].ends_us)
    assert isinstance(ended, NftAuctionEnded) and ended.reason is NftEndReason.RESERVE_NOT_MET
    assert (ended.bidder, ended.released) == (ALICE, 20_000)
    assert m.krw(ALICE) == 1_000_000 and m.owner(1) == [LABEL]


def test_a_bid_at_the_buy_now_price_buys_at_once() -> None:
    m = Market()
    auction = m.english(1, start=1_000, buy_now_price=30_000)
    m.do(BidNft(ALICE, auction, 1_000))
    [ended, sale] = m.do(BidNft(BOB, auction, 40_000))
    assert isinstance(ended, NftAuctionEnded) and (ended.bidder, ended.released) == (ALICE, 1_000)
    assert isinstance(sale, NftSold) and (sale.buyer, sale.price) == (BOB, 30_000)
    assert m.krw(ALICE) == 1_000_000


def test_a_dutch_auction_price_falls_in_a_straight_line() -> None:
    terms = AuctionTerms(
        "c", 1, 1, AuctionKind.DUTCH, 100_000, T0, T0 + 60 * MINUTE, end_price=40_000
    )
    assert dutch_price(terms, T0 - 1) == 100_000
    assert dutch_price(terms, T0) == 100_000
    assert dutch_price(terms, T0 + 30 * MINUTE) == 70_000
    assert dutch_price(terms, T0 + 20 * MINUTE) == 80_000
    assert dutch_price(terms, T0 + 1) == 100_000  # 0.001 unit fallen: rounded up
    assert dutch_price(terms, T0 + 60 * MINUTE) == 40_000
    assert dutch_price(terms, T0 + 90 * MINUTE) == 40_000


def test_a_dutch_auction_sells_at_the_price_of_the_instant() -> None:
    m = Market()
    start = m.time + 1_000
    terms = AuctionTerms(ART.code, 1, 1, AuctionKind.DUTCH, 100_000, start, start + 60 * MINUTE,
                         end_price=40_000)  # fmt: skip
    m.do(StartNftAuction(LABEL, terms))
    middle = start + 30 * MINUTE
    assert m.refused(BidNft(ALICE, 1, 69_999), at=middle) is RejectReason.BID_TOO_LOW
    [_, sale] = m.do(BidNft(ALICE, 1, 90_000), at=middle)
    assert isinstance(sale, NftSold) and sale.price == 70_000 and sale.total == 70_000
    assert m.krw(ALICE) == 1_000_000 - 70_000


def test_expired_listings_and_offers_end_by_the_clock() -> None:
    m = Market()
    m.do(ListNft(LABEL, ListingTerms(ART.code, 1, 1, 5_000, m.time + 10 * MINUTE)))
    m.do(MakeNftOffer(ALICE, OfferTerms(ART.code, 2, 1, 7_000, m.time + 5 * MINUTE)))
    expiry = m.time + 10 * MINUTE
    assert m.refused(BuyNft(BOB, 1, 1, 5_000), at=expiry) is RejectReason.UNKNOWN_NFT_LISTING
    events = m.do(SettleNfts(), at=expiry)
    assert [e.reason for e in events] == [NftEndReason.EXPIRED, NftEndReason.EXPIRED]  # type: ignore[attr-defined]
    assert m.owner(1) == [LABEL] and m.krw(ALICE) == 1_000_000


def test_sales_between_one_persons_accounts_are_marked_as_wash() -> None:
    m = Market()
    for account in (ALICE, BOB):
        m.do(SetAccountIdentity(account, AccountIdentity(2, "KR", "person-7")))
    m.do(MintNfts(LABEL, SWORDS.code, ALICE, (ItemSpec(8, 10, "Bow", "", ""),)))
    m.do(ListNft(ALICE, ListingTerms(SWORDS.code, 8, 10, 100)))
    [sale, *_] = m.do(BuyNft(BOB, 1, 2, 100))
    [other, *_] = m.do(BuyNft(LABEL, 1, 2, 100))
    assert isinstance(sale, NftSold) and sale.wash
    assert isinstance(other, NftSold) and not other.wash


def test_the_snapshot_holds_the_whole_market() -> None:
    m = Market()
    m.do(ListNft(LABEL, ListingTerms(SWORDS.code, 7, 30, 500, m.time + MINUTE)))
    m.do(MakeNftOffer(ALICE, OfferTerms(ART.code, None, 1, 9_000)))
    auction = m.english(2, extend_within_us=MINUTE, extension_us=MINUTE)
    m.do(BidNft(BOB, auction, 10_000))
    restored = Engine.restore(m.engine.snapshot())
    assert restored.snapshot() == m.engine.snapshot()
    assert restored.nft.next_deadline() == m.engine.nft.next_deadline()
    assert restored.holds() == m.engine.holds()


# ------------------------------------------------------------------ primary sales

SEED = bytes(range(32))
CAROL, DAVE = 2004, 2005


def drop_market() -> Market:
    m = Market()
    for account in (CAROL, DAVE):
        m.do(Deposit(account, "KRW", 1_000_000, f"fund-{account}"))
    return m


def drop_terms(m: Market, kind: DropKind, lots: tuple[tuple[int, int], ...], per_account: int = 0,
               price: int = 10_000, commitment_of: bytes | None = SEED) -> DropTerms:  # fmt: skip
    start = m.time + 1_000
    seeded = "" if kind is DropKind.FIXED or commitment_of is None else commitment(commitment_of)
    return DropTerms(ART.code if kind is not DropKind.BOX else SWORDS.code, kind, price, start,
                     start + 60 * MINUTE, per_account, lots, seeded)  # fmt: skip


def test_a_fixed_price_drop_sells_in_lot_order_to_its_cap_and_pays_the_creator_no_royalty() -> None:
    m = drop_market()
    label = m.krw(LABEL)
    m.do(CreateDrop(LABEL, drop_terms(m, DropKind.FIXED, ((1, 1), (2, 1), (3, 1)), per_account=2)))
    assert m.owner(1) == [] and m.engine.nft.state.drops[1].left == [1, 1, 1]
    events = m.do(BuyDrop(ALICE, 1, 2))
    sales = [e for e in events if isinstance(e, NftSold)]
    assert [(s.token_id, s.kind, s.royalties) for s in sales] == [
        (1, NftSaleKind.DROP, ()), (2, NftSaleKind.DROP, ())
    ]  # fmt: skip
    assert m.krw(LABEL) - label == 2 * (10_000 - 100)  # the 1 % fee only
    assert m.refused(BuyDrop(ALICE, 1, 1)) is RejectReason.DROP_LIMIT  # past the cap
    assert m.refused(BuyDrop(LABEL, 1, 1)) is RejectReason.NFT_SELF_TRADE
    *_, ended = m.do(BuyDrop(BOB, 1, 1))
    assert isinstance(ended, NftDropEnded) and ended.reason is NftEndReason.SOLD
    assert m.owner(3) == [BOB] and not m.engine.nft.state.drops


def test_a_fixed_drop_ends_with_its_window_and_the_rest_goes_back() -> None:
    m = drop_market()
    terms = drop_terms(m, DropKind.FIXED, ((1, 1), (2, 1)))
    m.do(CreateDrop(LABEL, terms))
    assert m.refused(BuyDrop(ALICE, 1, 1), at=terms.starts_us - 1) is RejectReason.DROP_NOT_OPEN
    m.do(BuyDrop(ALICE, 1, 1), at=terms.starts_us)
    [ended] = m.do(SettleNfts(), at=terms.ends_us)
    assert isinstance(ended, NftDropEnded) and ended.returned == ((2, 1),)
    assert m.owner(2) == [LABEL]


def test_a_subscription_draw_picks_winners_from_the_revealed_seed() -> None:
    m = drop_market()
    terms = drop_terms(m, DropKind.DRAW, ((1, 1), (2, 1), (3, 1)), per_account=5)
    m.do(CreateDrop(LABEL, terms))
    entries = [(ALICE, 3), (BOB, 1), (CAROL, 5), (DAVE, 2)]
    for account, tickets in entries:
        m.do(BuyDrop(account, 1, tickets))
    m.do(BuyDrop(ALICE, 1, 1))  # a second entry joins the first, in its place
    entries[0] = (ALICE, 4)
    assert m.engine.ledger.balance(CAROL, "KRW").held == 50_000
    assert (
        m.refused(RevealDropSeed(1, SEED.hex()), at=terms.ends_us - 1) is RejectReason.DROP_NOT_OPEN
    )
    wrong = bytes(32).hex()
    assert m.refused(RevealDropSeed(1, wrong), at=terms.ends_us) is RejectReason.INVALID_NFT_TERMS
    events = m.do(RevealDropSeed(1, SEED.hex()), at=terms.ends_us)
    expected = dict(draw_tickets(SEED, 1, entries, 3))
    won = {}
    for event in events:
        if isinstance(event, NftSold):
            assert event.from_held and event.kind is NftSaleKind.DRAW
            won[event.buyer] = won.get(event.buyer, 0) + event.quantity
    assert won == {account: n for account, n in expected.items() if n}
    for account, _ in entries:
        # Everyone paid exactly for what they won, and holds nothing any more.
        assert m.krw(account) == 1_000_000 - expected[account] * 10_000
        assert m.engine.ledger.balance(account, "KRW").held == 0
    assert isinstance(events[-1], NftDropEnded) and events[-1].seed == SEED.hex()


def test_mystery_boxes_open_into_exactly_the_published_pool() -> None:
    m = drop_market()
    # 10 swords in the pool: 1 gold, 3 silver, 6 iron (all minted as units of SWORDS items).
    m.do(MintNfts(LABEL, SWORDS.code, LABEL, (ItemSpec(10, 1, "Gold", "", ""),
                                              ItemSpec(11, 3, "Silver", "", ""))))  # fmt: skip
    terms = drop_terms(m, DropKind.BOX, ((10, 1), (11, 3), (7, 6)))
    m.do(CreateDrop(LABEL, terms))
    for account, boxes in ((ALICE, 4), (BOB, 3), (CAROL, 3)):
        m.do(BuyDrop(account, 1, boxes))
    assert m.refused(BuyDrop(DAVE, 1, 1)) is RejectReason.DROP_LIMIT  # all sold
    events = m.do(RevealDropSeed(1, SEED.hex()), at=terms.ends_us)
    opened = [e for e in events if isinstance(e, NftBoxOpened)]
    assert [e.serial for e in opened] == list(range(1, 11))
    assert sorted(e.token_id for e in opened) == [7] * 6 + [10] + [11] * 3
    owned = {account: 0 for account in (ALICE, BOB, CAROL)}
    for token_id in (7, 10, 11):
        item = m.engine.nft.state.item(SWORDS.code, token_id)
        assert item is not None
        for account in owned:
            owned[account] += item.owners.get(account, 0)
    assert owned == {ALICE: 4, BOB: 3, CAROL: 3}


def test_a_seed_never_revealed_cancels_the_sale_and_refunds_everyone() -> None:
    m = drop_market()
    terms = drop_terms(m, DropKind.DRAW, ((1, 1),))
    m.do(CreateDrop(LABEL, terms))
    m.do(BuyDrop(ALICE, 1, 2))
    assert m.do(SettleNfts(), at=terms.ends_us) == []  # waits for the reveal
    events = m.do(SettleNfts(), at=terms.ends_us + REVEAL_WITHIN_US)
    assert isinstance(events[0], NftDropRefunded) and events[0].released == 20_000
    assert isinstance(events[-1], NftDropEnded) and events[-1].reason is NftEndReason.NOT_REVEALED
    assert m.krw(ALICE) == 1_000_000 and m.owner(1) == [LABEL]


def test_platform_accounts_stay_out_of_primary_sales() -> None:
    m = drop_market()
    m.do(Deposit(11, "KRW", 1_000_000, "fund-demo-taker"))
    m.do(CreateDrop(LABEL, drop_terms(m, DropKind.DRAW, ((1, 1),))))
    assert m.refused(BuyDrop(11, 1, 1)) is RejectReason.DROP_LIMIT


@pytest.mark.parametrize("code", ["studio", "mine", "drops", "Upper-Case", "-dash", "ab"])
def test_a_collection_code_that_names_a_page_or_breaks_the_pattern_is_refused(code: str) -> None:
    m = Market()
    bad = Collection(code, LABEL, "x", "", "", Standard.ERC721, "KRW", ())
    assert m.refused(CreateCollection(bad)) is RejectReason.INVALID_COLLECTION
