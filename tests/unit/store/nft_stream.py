"""Two hours of an NFT marketplace, through a real engine, for the tests of the NFT SQL
history and of the gateway's NFT view: a label's ERC-721 collection with a split royalty
(items listed, bought, offered on by trait, by collection and by item, auctioned English
and Dutch, given away, a wash trade between one person's two accounts) and a game studio's
ERC-1155 items (a listing bought in part, a gift, a fixed-price drop). No command is
refused: it is what people really did. Times are minutes from `START_US`."""

from dataclasses import dataclass, field
from typing import Final

from assetport.domain.assets import AssetKind
from assetport.domain.commands import (
    AcceptNftOffer,
    BidNft,
    BuyDrop,
    BuyNft,
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
    SetAccountIdentity,
    SetNftContract,
    SettleNfts,
    StartNftAuction,
    TransferNft,
    WithdrawNft,
)
from assetport.domain.events import CommandRejected, Event
from assetport.domain.identities import AccountIdentity
from assetport.domain.nft.collections import Collection, RoyaltyShare, Standard
from assetport.domain.nft.drops import DropKind, DropTerms
from assetport.domain.nft.items import ItemSpec, Trait
from assetport.domain.nft.trading import AuctionKind, AuctionTerms, ListingTerms, OfferTerms
from assetport.engine.engine import Engine

LABEL, STUDIO, ANN, BEN, CAT, DAN = 1000, 1001, 1002, 1003, 1004, 1005
# BEN and CAT are one verified person's two accounts: their trades are wash trades.
START_US: Final = 1_780_000_000_000_000
MINUTE_US: Final = 60_000_000
BP, GAME = "yg-blackpink", "studio-items"
PINK, BLACK = Trait("Background", "Pink"), Trait("Background", "Black")
LASER = Trait("Eyes", "Laser")
LABEL_COLLECTION: Final = Collection(
    BP, LABEL, "BLACKPINK", "The label's collection", "ab" * 32, Standard.ERC721, "KRW",
    (RoyaltyShare(LABEL, 500), RoyaltyShare(DAN, 250)),
)  # fmt: skip
STUDIO_COLLECTION: Final = Collection(
    GAME, STUDIO, "Studio items", "", "", Standard.ERC1155, "KRW", ()
)


def label_item(token_id: int) -> ItemSpec:
    """#0..#9: odd ones pink, even ones black; #0..#2 with laser eyes."""
    eyes = LASER if token_id < 3 else Trait("Eyes", "Plain")
    return ItemSpec(token_id, 1, f"BP #{token_id}", "A card", "cd" * 32,
                    (PINK if token_id % 2 else BLACK, eyes))  # fmt: skip


@dataclass
class Stream:
    """A sequencer in front of a real engine: every command applied is kept."""

    engine: Engine = field(default_factory=Engine)
    items: list[tuple[int, int, Command, list[Event]]] = field(default_factory=list)

    def at(self, minute: float, command: Command) -> list[Event]:
        seq = len(self.items) + 1
        time = START_US + int(minute * MINUTE_US) + seq
        events = self.engine.apply(seq, time, command)
        assert not [e for e in events if isinstance(e, CommandRejected)], (command, events)
        self.items.append((seq, time, command, events))
        return events


def us(minute: float) -> int:
    """A time in the terms of a command sent at `minute`: just after it (`Stream.at` adds
    the seq in microseconds)."""
    return START_US + int(minute * MINUTE_US) + 1000


# The seq after which the stream is cut for a view seeded half-way: after the English
# auction's bids, the studio's partial sale and its drop, before the wash trade and the
# settling.
HALF_WAY: Final = 31


def nft_stream() -> Stream:
    s = Stream()
    s.at(0, ListAsset("KRW", 0, AssetKind.FIAT))
    for account in (LABEL, STUDIO, ANN, BEN, CAT, DAN):
        s.at(0, Deposit(account, "KRW", 10_000_000, f"krw-{account}"))
    s.at(0, SetAccountIdentity(BEN, AccountIdentity(1, "KR", "person-7")))
    s.at(0, SetAccountIdentity(CAT, AccountIdentity(1, "KR", "person-7")))
    s.at(0, CreateCollection(LABEL_COLLECTION))  # seq 10
    s.at(0, CreateCollection(STUDIO_COLLECTION))
    s.at(1, MintNfts(LABEL, BP, LABEL, tuple(label_item(i) for i in range(10))))
    s.at(1, MintNfts(STUDIO, GAME, STUDIO, (ItemSpec(1, 100, "Sword", "", ""),
                                             ItemSpec(2, 50, "Shield", "", ""))))  # fmt: skip
    s.at(2, ListNft(LABEL, ListingTerms(BP, 1, 1, 10_001)))  # listing 1
    s.at(2, BuyNft(ANN, 1, 1, 10_001))  # sale 1: 500 + 250 royalty, 100 fee
    s.at(3, ListNft(LABEL, ListingTerms(BP, 2, 1, 20_000, us(63))))  # listing 2, expires
    s.at(3, ListNft(LABEL, ListingTerms(BP, 3, 1, 15_000)))  # listing 3
    s.at(4, MakeNftOffer(BEN, OfferTerms(BP, None, 1, 5_000, 0, PINK)))  # offer 1: pink
    s.at(4, AcceptNftOffer(ANN, 1, 1, 1))  # sale 2: Ann sells #1 to Ben
    s.at(5, MakeNftOffer(BEN, OfferTerms(BP, None, 2, 4_000)))  # offer 2: any item, 2 units
    s.at(5, MakeNftOffer(CAT, OfferTerms(BP, 4, 1, 6_000)))  # offer 3: #4
    s.at(
        6,
        StartNftAuction(
            LABEL,
            AuctionTerms(BP, 5, 1, AuctionKind.ENGLISH, 1_000, us(6), us(16), reserve_price=2_000),
        ),
    )  # auction 1
    s.at(
        6,
        StartNftAuction(
            LABEL,
            AuctionTerms(BP, 6, 1, AuctionKind.DUTCH, 50_000, us(6), us(126), end_price=10_000),
        ),
    )  # auction 2
    s.at(7, BidNft(CAT, 1, 1_000))
    s.at(8, BidNft(DAN, 1, 2_100))  # beats Cat's
    s.at(9, TransferNft(LABEL, BP, 7, 1, CAT))
    s.at(10, ListNft(STUDIO, ListingTerms(GAME, 1, 10, 500)))  # listing 4
    s.at(10, BuyNft(ANN, 4, 3, 500))  # sale 3, in part
    s.at(10, TransferNft(STUDIO, GAME, 2, 5, BEN))
    s.at(12, CreateDrop(STUDIO, DropTerms(GAME, DropKind.FIXED, 700, us(12), us(42), 0,
                                          ((2, 20),))))  # drop 1  # fmt: skip
    s.at(13, BuyDrop(ANN, 1, 4))  # sale 4, seq 31: HALF_WAY
    s.at(14, ListNft(CAT, ListingTerms(BP, 7, 1, 30_000)))  # listing 5
    s.at(14, BuyNft(BEN, 5, 1, 30_000))  # sale 5: a wash trade
    s.at(20, SettleNfts())  # auction 1 sells to Dan (sale 6)
    s.at(70, SettleNfts())  # listing 2 expired, the drop ended with 16 left
    # To a chain and back: Ben's shields, 2 sent (1 deposited again to Dan), 1 failed.
    s.at(71, SetNftContract(GAME, "ETH", "0x" + "11" * 20))
    s.at(71, WithdrawNft(BEN, GAME, 2, 2, "ETH", "0x" + "22" * 20, "w1"))  # withdrawal 1
    s.at(72, CompleteNftWithdrawal(1, "0x" + "aa" * 32))
    s.at(72, WithdrawNft(BEN, GAME, 2, 1, "ETH", "0x" + "22" * 20, "w2"))  # withdrawal 2
    s.at(73, FailNftWithdrawal(2, "the node refused it"))
    s.at(74, CreditNftDeposit(DAN, GAME, 2, 1, "ETH", "0x" + "bb" * 32, 0))
    return s
