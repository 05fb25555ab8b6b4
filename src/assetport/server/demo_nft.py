"""The NFT demo (issue #18): on the demo listings, `assetport serve --demo` opens a living NFT
marketplace, so that a newcomer sees collections, listings, offers, auctions and a mystery-box
drop at once.

Who (platform accounts, `domain/accounts.py`, all fictional):

- Harborlight Entertainment, a label (`DEMO_NFT_LABEL`), publishes the ERC-721 stage photo
  cards of its group Neon Tide: 24 cards with the traits Member, Stage and Rarity, a royalty
  of 7.5 % on every resale split between the label (5 %) and Harborlight Artist Management
  (`DEMO_NFT_ARTIST_MANAGEMENT`, 2.5 %). Cards 1-12 it sells itself; cards 13-24 are the pool
  of its mystery boxes.
- Pinecone Forge, a game studio (`DEMO_NFT_STUDIO`), publishes six ERC-1155 items with
  supplies (swords, potions, a shield, a feather), royalty 5 %.
- Four collectors (`DEMO_NFT_COLLECTORS`), funded in won by the sandbox's deposits.

Every picture (items and covers) is drawn in code (`demo_nft_images.py`) and kept in the media
store, so every item has a real image; the operator sets both collections' verified badge.

What stands is read from the gateway's NFT view and every step is a journaled command sent
through the gateway's engine, as the demo issuers and market makers do. The engine's NFT
commands carry no reference that makes them once, so every step here looks first at what
stands and does only what is missing: a restart finds the collections, the items, the
auctions and the drop in place and adds none of them again.

- At start: the collections, their items and badges; the auctions, the box drop and the
  shops' listings (below); and, once (no collector holds a card yet), the opening trades:
  collectors buy a few of the label's cards and the studio's items and list them again at a
  markup, one card is resold between collectors, and a few offers are made.
- All the time (`keep_up`, every few seconds): an English auction of a card runs (started by
  whoever of the demo holds a card free; when it ends another starts), with anti-sniping; a
  Dutch auction of the studio's dearest item in stock (its feathers first) runs; the label's
  free shop cards and each of the studio's items are listed; a mystery-box drop of the
  label's pool is open while the pool lasts.
- The demo's bidders (`bidders`, every few seconds, seeded random): bid in the English
  auction, up to a price that rises with the auction's time (so bids come until its end);
  sometimes buy a listing in a demo collection (a visitor's too) and list it again at a
  markup, one listing per collector and item; make or cancel offers (at most
  `MAX_OPEN_OFFERS`); and take the Dutch auction once its price has fallen enough. No bid,
  purchase or resale goes above `CEILING_PCT` of the item's demo price, so nothing climbs
  for ever, and the collectors' listings stay below `MAX_DEMO_LISTINGS`.

The box drop's seed: made with `secrets` and kept secret in the data directory by the drops'
seed store (`edge/drop_seeds.py`, files 0600), only its commitment journaled with the drop;
revealed once the window has ended (`api/rest_nft_drops.py`'s `reveal_due`, which the server
runs every second and the demo once more before it opens the next drop), then a new box drop
opens with what is left of the pool. Platform accounts may not buy boxes (they could know
the seed): the demo shows the drop, visitors buy.

Ends of auctions and expiries are settled by `SettleNfts`, which the server's settle timer
sends (`server/nft_market.py`).
"""

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from assetport.api.gateway import Gateway
from assetport.api.rest_nft_drops import reveal_due
from assetport.domain.accounts import (
    DEMO_NFT_ARTIST_MANAGEMENT,
    DEMO_NFT_COLLECTORS,
    DEMO_NFT_LABEL,
    DEMO_NFT_STUDIO,
)
from assetport.domain.commands import (
    BidNft,
    BuyNft,
    CancelNftListing,
    CancelNftOffer,
    Command,
    CreateCollection,
    CreateDrop,
    Deposit,
    ListNft,
    MakeNftOffer,
    MintNfts,
    SetCollectionVerified,
    StartNftAuction,
)
from assetport.domain.events import Event, refusal
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.drops import DropKind, DropTerms
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import (
    MINUTE_US,
    AuctionKind,
    AuctionTerms,
    ListingTerms,
    OfferTerms,
    dutch_price,
    next_minimum_bid,
)
from assetport.domain.results import RejectReason
from assetport.edge.drop_seeds import DropSeeds
from assetport.edge.nft_media import NftMediaStore
from assetport.server import demo_nft_images as pictures
from assetport.views.nft import NftAuction, NftItem, NftView

logger = logging.getLogger(__name__)

CURRENCY: Final = "KRW"
LABEL: Final = DEMO_NFT_LABEL
MANAGEMENT: Final = DEMO_NFT_ARTIST_MANAGEMENT
STUDIO: Final = DEMO_NFT_STUDIO
COLLECTORS: Final = tuple(DEMO_NFT_COLLECTORS)
DEMO_ACCOUNTS: Final = frozenset((LABEL, STUDIO, *COLLECTORS))
FUNDS_WON: Final = 10**10  # each collector's, more than the demo could ever use up

LABEL_CODE: Final = "neon-tide-stage-cards"
STUDIO_CODE: Final = "ember-forge-items"
SHOP_CARDS: Final = range(1, 13)  # the cards the label sells itself
BOX_POOL: Final = range(13, 25)  # the cards its mystery boxes open into

SECOND_US: Final = 1_000_000
START_DELAY_US: Final = 2 * SECOND_US  # terms start after the sequencer's stamp, never before
TICK_S: Final = 3.0  # the bidders' pace (give or take a third)
SETUP_RETRY_S: Final = 10.0
ENGLISH_US: Final = 15 * MINUTE_US
SNIPING_WINDOW_US: Final = 2 * MINUTE_US  # a bid this near the end moves the end ...
SNIPING_EXTENSION_US: Final = 2 * MINUTE_US  # ... to this long after it
DUTCH_US: Final = 6 * 60 * MINUTE_US
DUTCH_UNITS: Final = 3  # the studio auctions items three at a time
BOX_WINDOW_S: Final = 30 * 60.0
BOX_PRICE_WON: Final = 50_000
BOXES_PER_ACCOUNT: Final = 3
OFFER_LIFE_US: Final = 6 * 60 * MINUTE_US
MAX_OPEN_OFFERS: Final = 8  # the collectors' open offers, all together
OPENING_OFFERS: Final = 4
MAX_DEMO_LISTINGS: Final = 60  # the collectors' open listings, all together
CEILING_PCT: Final = 250  # no bid, purchase or resale above this % of an item's demo price
ROUND_WON: Final = 100  # prices the demo makes are whole hundreds of won


# -- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoItem:
    token_id: int
    supply: int
    name: str
    description: str
    attributes: tuple[Trait, ...]
    price_won: int  # what the demo prices it around
    draw: Callable[[], bytes]  # its picture's PNG bytes
    lot: int = 1  # units its creator lists at a time

    def spec(self, image: str) -> ItemSpec:
        return ItemSpec(self.token_id, self.supply, self.name, self.description, image,
                        self.attributes)  # fmt: skip


@dataclass(frozen=True)
class DemoCollection:
    code: str
    creator: int
    name: str
    description: str
    standard: Standard
    royalty: tuple[RoyaltyShare, ...]
    cover: Callable[[], bytes]
    items: tuple[DemoItem, ...]

    def item(self, token_id: int) -> DemoItem:
        return next(item for item in self.items if item.token_id == token_id)


MEMBERS: Final = (("Ari", (230, 80, 140)), ("Juno", (80, 160, 230)), ("Sela", (120, 210, 150)),
                  ("Rho", (240, 170, 60)))  # fmt: skip
STAGES: Final = ("Busan Harbor Live", "Summer Wave Fest", "Winter Light Tour")
# Five commons, two rares and a legendary in every eight cards.
RARITIES: Final = ("Common", "Common", "Rare", "Common", "Rare", "Common", "Common", "Legendary")
CARD_PRICES_WON: Final = {"Common": 30_000, "Rare": 80_000, "Legendary": 250_000}


def _photo_card(token_id: int) -> DemoItem:
    n = token_id - 1
    member, colour = MEMBERS[n % len(MEMBERS)]
    stage = (n // len(MEMBERS)) % len(STAGES)
    rarity = RARITIES[n % len(RARITIES)]
    traits = (Trait("Member", member), Trait("Stage", STAGES[stage]), Trait("Rarity", rarity))
    return DemoItem(
        token_id, 1, f"{member} at {STAGES[stage]} #{token_id}",
        f"A {rarity.lower()} stage photo card of {member} of Neon Tide, taken at "
        f"{STAGES[stage]} (a fictional group: an Assetport demo).",
        traits, CARD_PRICES_WON[rarity],
        lambda: pictures.photo_card(token_id, colour, stage, rarity),
    )  # fmt: skip


def _game_item(token_id: int, name: str, shape: str, colour: pictures.Colour, kind: str,
               supply: int, price_won: int, lot: int, description: str) -> DemoItem:  # fmt: skip
    return DemoItem(token_id, supply, name, f"{description} (an Assetport demo item)",
                    (Trait("Type", kind), Trait("Shape", shape.capitalize())), price_won,
                    lambda: pictures.game_item(token_id, shape, colour), lot)  # fmt: skip


LABEL_COLLECTION: Final = DemoCollection(
    LABEL_CODE, LABEL, "Neon Tide: Stage Photo Cards",
    "Stage photo cards of Neon Tide, a fictional group of the fictional label Harborlight "
    "Entertainment: an Assetport demo collection. Every resale pays 7.5 % to the label and "
    "its artists' management.",
    Standard.ERC721, (RoyaltyShare(LABEL, 500), RoyaltyShare(MANAGEMENT, 250)),
    lambda: pictures.label_cover(tuple(colour for _, colour in MEMBERS)),
    tuple(_photo_card(token_id) for token_id in (*SHOP_CARDS, *BOX_POOL)),
)  # fmt: skip
STUDIO_COLLECTION: Final = DemoCollection(
    STUDIO_CODE, STUDIO, "Ember Forge: Game Items",
    "Items of Ember Forge, a game by the fictional studio Pinecone Forge: an Assetport demo "
    "collection of ERC-1155 items that trade in quantities.",
    Standard.ERC1155, (RoyaltyShare(STUDIO, 500),), pictures.studio_cover,
    (_game_item(1, "Ember Sword", "sword", (230, 90, 40), "Weapon", 100, 40_000, 10,
                "A blade still warm from the forge"),
     _game_item(2, "Frost Blade", "sword", (90, 170, 240), "Weapon", 100, 45_000, 10,
                "Cold enough to slow whoever it touches"),
     _game_item(3, "Healing Potion", "potion", (220, 50, 60), "Consumable", 5000, 1_500, 100,
                "Restores 50 health"),
     _game_item(4, "Mana Potion", "potion", (60, 90, 230), "Consumable", 5000, 1_800, 100,
                "Restores 40 mana"),
     _game_item(5, "Iron Shield", "shield", (120, 130, 150), "Armor", 300, 20_000, 20,
                "Dented, dependable"),
     _game_item(6, "Phoenix Feather", "feather", (240, 120, 40), "Relic", 30, 150_000, 3,
                "Brings a fallen hero back once")),
)  # fmt: skip
COLLECTIONS: Final = (LABEL_COLLECTION, STUDIO_COLLECTION)
BY_CODE: Final = {c.code: c for c in COLLECTIONS}


def keep_pictures(data_dir: Path) -> dict[str, str]:
    """Draw every cover and item picture and keep it in the media store (the same bytes
    again change nothing): name -> SHA-256, the names `cover:<code>` and `<code>:<token id>`."""
    store = NftMediaStore(data_dir)
    kept: dict[str, str] = {}
    for c in COLLECTIONS:
        kept[f"cover:{c.code}"] = store.put(c.cover()).sha256
        for item in c.items:
            kept[f"{c.code}:{item.token_id}"] = store.put(item.draw()).sha256
    return kept


def start_demo_nft(gateway: Gateway, data_dir: Path) -> "asyncio.Task[None]":
    """The NFT demo as a background task of the sandbox (`serve.py`)."""
    return asyncio.get_running_loop().create_task(DemoNftMarket(gateway, data_dir).run())


# -- the demo --------------------------------------------------------------------------------


class DemoNftMarket:
    def __init__(self, gateway: Gateway, data_dir: Path, *, seed: int = 18,
                 box_window_s: float = BOX_WINDOW_S) -> None:  # fmt: skip
        self.gateway = gateway
        self.data_dir = data_dir
        self.random = random.Random(seed)
        self.box_window_us = int(box_window_s * SECOND_US)
        if gateway.drop_seeds is None:  # a gateway made without the server's stores
            gateway.drop_seeds = DropSeeds(data_dir)
        self.seeds = gateway.drop_seeds
        self.won = 1  # ledger units per won: set from the currency's precision

    @property
    def view(self) -> NftView:
        return self.gateway.nft

    async def run(self) -> None:
        """Set the demo up (tried again while it fails), then keep it alive."""
        while True:
            try:
                if not await self.set_up():
                    return
                break
            except Exception:
                logger.exception("the NFT demo's set-up; trying again")
            await asyncio.sleep(SETUP_RETRY_S)
        while True:
            await asyncio.sleep(TICK_S * self.random.randint(67, 133) / 100)
            try:
                await self.tick()
            except Exception:
                logger.exception("the NFT demo")

    async def set_up(self) -> bool:
        """The module's "at start", each step only where what it makes is missing; False
        (and the demo stays off) when the listings have no won or a collection code is
        someone else's."""
        precision = self.gateway.markets.precision.get(CURRENCY)
        if precision is None:
            logger.warning("NFT demo: %s is not listed; no demo collections", CURRENCY)
            return False
        self.won = 10**precision
        for c in COLLECTIONS:
            found = self.view.collection(c.code)
            if found is not None and found.creator != c.creator:
                logger.warning("NFT demo: the collection %s is account %d's; no demo", c.code,
                               found.creator)  # fmt: skip
                return False
        for collector in COLLECTORS:
            await self._send(Deposit(collector, CURRENCY, FUNDS_WON * self.won,
                                     f"sandbox-nft-{collector}-{CURRENCY}"))  # fmt: skip
        images = await asyncio.to_thread(keep_pictures, self.data_dir)
        for c in COLLECTIONS:
            await self._publish(c, images)
        opening = not any(self._cards_held(collector) for collector in COLLECTORS)
        await self.keep_up()
        if opening:
            await self._open_market()
        return True

    async def tick(self) -> None:
        await self.keep_up()
        await self.bidders()

    # -- at start ---------------------------------------------------------------------------

    async def _publish(self, c: DemoCollection, images: dict[str, str]) -> None:
        """The collection, its verified badge and its items, whichever are missing."""
        if self.view.collection(c.code) is None:
            cover = images[f"cover:{c.code}"]
            collection = Collection(c.code, c.creator, c.name, c.description, cover, c.standard,
                                    CURRENCY, c.royalty)  # fmt: skip
            await self._must(CreateCollection(collection))
        found = self.view.collection(c.code)
        if found is not None and not found.verified:
            await self._must(SetCollectionVerified(c.code, True))
        missing = tuple(
            item.spec(images[f"{c.code}:{item.token_id}"])
            for item in c.items
            if self.view.item(c.code, item.token_id) is None
        )
        if missing:
            await self._must(MintNfts(c.creator, c.code, c.creator, missing))

    async def _open_market(self) -> None:
        """The opening trades: each collector buys one of the label's cards and lists it
        again at a markup, the first card is resold between collectors, collectors buy
        some of the studio's items to sell on, and a few offers are made."""
        for collector, token_id in zip(COLLECTORS, SHOP_CARDS, strict=False):
            item = self.view.item(LABEL_CODE, token_id)
            if item is not None:
                await self._buy_and_relist(collector, item)
        first = self.view.item(LABEL_CODE, SHOP_CARDS[0])
        if first is not None:
            await self._buy_and_relist(COLLECTORS[-1], first)
        for collector, game_item in zip(COLLECTORS, STUDIO_COLLECTION.items, strict=False):
            item = self.view.item(STUDIO_CODE, game_item.token_id)
            if item is not None:
                await self._buy_and_relist(collector, item)
        while self._open_offers() < OPENING_OFFERS:
            if not await self._make_offer():
                break

    # -- kept up all the time ---------------------------------------------------------------

    async def keep_up(self) -> None:
        """What must always stand (the module's "all the time"), in an order that leaves
        a card for the auction before the shop lists the rest."""
        await self._reveal_ended_boxes()
        await self._keep_english_auction()
        await self._keep_dutch_auction()
        await self._keep_box_drop()
        await self._stock_shops()

    async def _reveal_ended_boxes(self) -> None:
        """Before the next box drop opens: the server's own reveal (it runs every second
        anyway), so that the pool the last drop left is known now."""
        await reveal_due(self.gateway, self._now_us())

    async def _keep_english_auction(self) -> None:
        """An English auction of a card runs: of a card someone of the demo holds free
        (the label's shop cards, what collectors won), else of one a collector takes off its
        listing for it."""
        if any(a.terms.kind is AuctionKind.ENGLISH for a in self._demo_auctions(LABEL_CODE)):
            return
        free = [
            (account, item.token_id)
            for account in (LABEL, *COLLECTORS)
            for item, _ in self._cards_held(account)
            if item.owners.get(account) and not (account == LABEL and item.token_id in BOX_POOL)
        ]
        if not free:
            listed = [x for c in COLLECTORS for x in self.view.account_listings(c)
                      if x.terms.collection == LABEL_CODE]  # fmt: skip
            if not listed:
                return
            listing = self.random.choice(listed)
            if await self._send(CancelNftListing(listing.account, listing.listing_id)) is None:
                return
            free = [(listing.account, listing.terms.token_id)]
        seller, token_id = self.random.choice(free)
        price_won = LABEL_COLLECTION.item(token_id).price_won
        start = self._now_us() + START_DELAY_US
        terms = AuctionTerms(
            LABEL_CODE, token_id, 1, AuctionKind.ENGLISH,
            start_price=self._price(price_won, 60), starts_us=start, ends_us=start + ENGLISH_US,
            reserve_price=self._price(price_won, 80), extend_within_us=SNIPING_WINDOW_US,
            extension_us=SNIPING_EXTENSION_US, buy_now_price=self._price(price_won, 400),
        )  # fmt: skip
        await self._send(StartNftAuction(seller, terms))

    async def _keep_dutch_auction(self) -> None:
        if any(a.terms.kind is AuctionKind.DUTCH for a in self._demo_auctions(STUDIO_CODE)):
            return
        # The dearest item the studio still holds enough of (its feathers, while they last).
        stocked = [
            game_item
            for game_item in sorted(STUDIO_COLLECTION.items, key=lambda i: -i.price_won)
            if (item := self.view.item(STUDIO_CODE, game_item.token_id)) is not None
            and item.owners.get(STUDIO, 0) >= DUTCH_UNITS
        ]
        if not stocked:
            return
        game_item = stocked[0]
        start = self._now_us() + START_DELAY_US
        terms = AuctionTerms(
            STUDIO_CODE, game_item.token_id, DUTCH_UNITS, AuctionKind.DUTCH,
            start_price=self._price(game_item.price_won, 200), starts_us=start,
            ends_us=start + DUTCH_US, end_price=self._price(game_item.price_won, 50),
        )  # fmt: skip
        await self._send(StartNftAuction(STUDIO, terms))

    async def _keep_box_drop(self) -> None:
        """A box drop of the label is open, of the pool's cards the label holds free."""
        if any(d.terms.kind is DropKind.BOX for d in self.view.drops(LABEL_CODE)):
            return
        lots = []
        for token_id in BOX_POOL:
            item = self.view.item(LABEL_CODE, token_id)
            if item is not None and item.owners.get(LABEL):
                lots.append((token_id, 1))
        if not lots:
            return  # the pool is used up
        start = self._now_us() + START_DELAY_US
        terms = DropTerms(LABEL_CODE, DropKind.BOX, BOX_PRICE_WON * self.won, start,
                          start + self.box_window_us, BOXES_PER_ACCOUNT, tuple(lots),
                          self.seeds.new())  # fmt: skip
        await self._send(CreateDrop(LABEL, terms))

    async def _stock_shops(self) -> None:
        """The label lists its free shop cards; the studio keeps a lot of each item listed."""
        for token_id in SHOP_CARDS:
            item = self.view.item(LABEL_CODE, token_id)
            if item is not None and item.owners.get(LABEL):
                price = self._price(LABEL_COLLECTION.item(token_id).price_won,
                                    self.random.randint(100, 130))  # fmt: skip
                await self._send(ListNft(LABEL, ListingTerms(LABEL_CODE, token_id, 1, price)))
        listed = {x.terms.token_id for x in self.view.account_listings(STUDIO)}
        for game_item in STUDIO_COLLECTION.items:
            item = self.view.item(STUDIO_CODE, game_item.token_id)
            if item is None or game_item.token_id in listed:
                continue
            units = min(game_item.lot, item.owners.get(STUDIO, 0))
            if units:
                price = self._price(game_item.price_won, 100)
                terms = ListingTerms(STUDIO_CODE, game_item.token_id, units, price)
                await self._send(ListNft(STUDIO, terms))

    # -- the bidders ------------------------------------------------------------------------

    async def bidders(self) -> None:
        """One turn of the demo's collectors: perhaps a bid, perhaps a purchase or an offer,
        perhaps the Dutch auction."""
        await self._bid_english()
        roll = self.random.random()
        if roll < 0.3:
            await self._buy_something()
        elif roll < 0.55:
            await self._offer_or_cancel()
        await self._take_dutch()

    async def _bid_english(self) -> None:
        now = self._now_us()
        for auction in self._demo_auctions(LABEL_CODE):
            t = auction.terms
            if t.kind is not AuctionKind.ENGLISH or not t.starts_us <= now < auction.ends_us:
                continue
            # Eager for the first bid, keen near the end (anti-sniping shows), calm between.
            if not auction.bidder:
                chance = 90
            elif auction.ends_us - now <= t.extend_within_us:
                chance = 60
            else:
                chance = 35
            if self.random.randrange(100) >= chance:
                continue
            price = self._round_up(next_minimum_bid(t, auction.bid))
            if price > self._willing(auction, now):
                continue
            bidders = [c for c in COLLECTORS if c not in (auction.account, auction.bidder)]
            await self._send(BidNft(self.random.choice(bidders), auction.auction_id, price))

    async def _buy_something(self) -> None:
        """A collector buys (part of) a listing in a demo collection, and lists what it
        bought again at a markup."""
        listed = sum(len(self.view.account_listings(c)) for c in COLLECTORS)
        if listed >= MAX_DEMO_LISTINGS:
            return
        code = self.random.choice((LABEL_CODE, STUDIO_CODE))
        page = self.view.items_page(code, listed_only=True, limit=50).items
        if page:
            await self._buy_and_relist(self.random.choice(COLLECTORS), self.random.choice(page))

    async def _buy_and_relist(self, buyer: int, item: NftItem) -> None:
        listing = item.cheapest()
        demo_item = BY_CODE[item.collection].item(item.token_id)
        ceiling = self._price(demo_item.price_won, CEILING_PCT)
        if listing is None or listing.account == buyer or listing.terms.price > ceiling:
            return
        quantity = min(listing.remaining, self.random.randint(1, 3))
        bought = await self._send(BuyNft(buyer, listing.listing_id, quantity, listing.terms.price))
        if bought is None:
            return
        price = listing.terms.price * self.random.randint(105, 135) // 100
        if price > ceiling:  # too dear to sell on: back nearer the demo price
            price = self._price(demo_item.price_won, self.random.randint(90, 120))
        await self._relist(buyer, item, quantity, self._round_up(price))

    async def _relist(self, account: int, item: NftItem, quantity: int, price: int) -> None:
        """List units of the item, joined by those the account lists of it already: one
        listing per collector and item, so their number stays bounded."""
        for own in self.view.account_listings(account):
            if (own.terms.collection, own.terms.token_id) != (item.collection, item.token_id):
                continue
            if await self._send(CancelNftListing(account, own.listing_id)) is not None:
                quantity += own.remaining
        terms = ListingTerms(item.collection, item.token_id, quantity, price)
        await self._send(ListNft(account, terms))

    async def _offer_or_cancel(self) -> None:
        offers = [o for c in COLLECTORS for o in self.view.account_offers(c)]
        wanted = len(offers) < OPENING_OFFERS or self.random.random() < 0.5
        if len(offers) < MAX_OPEN_OFFERS and wanted:
            await self._make_offer()
        elif offers:
            offer = self.random.choice(offers)
            await self._send(CancelNftOffer(offer.account, offer.offer_id))

    async def _make_offer(self) -> bool:
        """An offer by a collector: on one card, on any card, on any legendary card, or on a
        few units of a game item. True when it was made."""
        collector = self.random.choice(COLLECTORS)
        expires = self._now_us() + OFFER_LIFE_US
        kind = self.random.randrange(4)
        if kind == 0:
            card = self.random.choice(LABEL_COLLECTION.items)
            price = self._price(card.price_won, self.random.randint(60, 90))
            terms = OfferTerms(LABEL_CODE, card.token_id, 1, price, expires)
        elif kind == 1:
            price = self._price(CARD_PRICES_WON["Common"], self.random.randint(50, 70))
            terms = OfferTerms(LABEL_CODE, None, 1, price, expires)
        elif kind == 2:
            price = self._price(CARD_PRICES_WON["Legendary"], self.random.randint(55, 75))
            terms = OfferTerms(LABEL_CODE, None, 1, price, expires, Trait("Rarity", "Legendary"))
        else:
            game_item = self.random.choice(STUDIO_COLLECTION.items)
            price = self._price(game_item.price_won, self.random.randint(70, 90))
            terms = OfferTerms(STUDIO_CODE, game_item.token_id, self.random.randint(2, 10),
                               price, expires)  # fmt: skip
        return await self._send(MakeNftOffer(collector, terms)) is not None

    async def _take_dutch(self) -> None:
        """Once the Dutch auction's price has fallen below the item's demo price, now and
        then a collector buys at the price of the instant."""
        now = self._now_us()
        for auction in self._demo_auctions(STUDIO_CODE):
            t = auction.terms
            if t.kind is not AuctionKind.DUTCH or not t.starts_us <= now < auction.ends_us:
                continue
            price = dutch_price(t, now)
            demo_price = self._price(STUDIO_COLLECTION.item(t.token_id).price_won, 90)
            if price <= demo_price and self.random.randrange(100) < 15:
                await self._send(BidNft(self.random.choice(COLLECTORS), auction.auction_id, price))

    # -- reading and sending ----------------------------------------------------------------

    def _cards_held(self, account: int) -> list[tuple[NftItem, int]]:
        return [(item, units) for item, units in self.view.holding(account)
                if item.collection == LABEL_CODE]  # fmt: skip

    def _demo_auctions(self, code: str) -> list[NftAuction]:
        return [a for a in self.view.auctions(code) if a.account in DEMO_ACCOUNTS]

    def _open_offers(self) -> int:
        return sum(len(self.view.account_offers(c)) for c in COLLECTORS)

    def _willing(self, auction: NftAuction, now_us: int) -> int:
        """The most the bidders pay now: from the start price at the start up to the
        ceiling at the scheduled end, so bids come all through the auction (and near its
        end, where anti-sniping moves it) and stop at the ceiling."""
        t = auction.terms
        ceiling = self._price(BY_CODE[t.collection].item(t.token_id).price_won, CEILING_PCT)
        elapsed = min(now_us - t.starts_us, t.ends_us - t.starts_us)
        return t.start_price + (ceiling - t.start_price) * elapsed // (t.ends_us - t.starts_us)

    def _now_us(self) -> int:
        return self.gateway.clock_ms() * 1000

    def _price(self, won: int, percent: int) -> int:
        """`percent` % of `won`, in ledger units, rounded to whole hundreds of won."""
        return self._round_up(won * self.won * percent // 100)

    def _round_up(self, units: int) -> int:
        step = ROUND_WON * self.won
        return -(-units // step) * step

    async def _send(self, command: Command) -> list[Event] | None:
        """Send one command through the gateway's engine: its events, or None when it was
        refused (the market moved since it was read: logged, never raised)."""
        events = (await self.gateway.engine.execute(command)).events
        refused = refusal(events)
        if refused is None:
            return events
        if refused.reason is not RejectReason.ALREADY_APPLIED:
            logger.debug("NFT demo: %s refused: %s", type(command).__name__, refused.reason)
        return None

    async def _must(self, command: Command) -> None:
        refused = refusal((await self.gateway.engine.execute(command)).events)
        if refused is not None:
            raise RuntimeError(f"the NFT demo's {type(command).__name__} was refused: "
                               f"{refused.reason}")  # fmt: skip
