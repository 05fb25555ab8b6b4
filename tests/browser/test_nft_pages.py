"""The NFT marketplace's pages (issue #18) in Chromium, against the browser tests' shared
`assetport serve --demo` (its listing has KRW; the settle timer ends auctions and the
platform reveals a box sale's seed by itself).

Three people sign up once for the module: a creator, a collector and a bidder, each with
KRW from the operator. The creator uploads an image in the studio (a disguised and an
oversize file refused in words), makes a collection whose royalty is split with an artist
(the split checked as it is typed), mints and lists; the collector buys (the creator's own
sale pays no royalty) and resells, the bidder sees the split before buying, and the royalty
arrives in the creator's balance and the artist's. An English auction with two bidders:
the first sees it was outbid, the auction ends by time (the engine's shortest, a minute:
most of this module's time) and the second owns the item. A mystery box: bought during its
window, revealed after it, opened into its item, and the draw verified. Every page loads
without a script error in English on a desktop and in Korean on a phone, with no serious
axe violation."""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from exchange_server import ExchangeServer, Trader
from nft_images import png
from playwright.sync_api import Browser, Page, expect
from test_accessibility import BLOCKING, axe_violations, describe

from conftest import new_page, screenshot, sign_up, unique_email

DEPOSIT = 1_000_000  # KRW each person starts with
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
MAX_MEDIA_BYTES = 10 * 1024 * 1024
# The settle timer and the seed's reveal run once a second: what they do shows within this.
SETTLED_MS = 20_000


@dataclass
class Person:
    page: Page
    account: int
    base_url: str

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def krw(self) -> tuple[int, int]:
        """(free, held) KRW, as the account endpoint answers this person's session."""
        answer = self.page.request.get(self.base_url + "/api/v3/account").json()
        row = next(b for b in answer["balances"] if b["asset"] == "KRW")
        return int(row["free"]), int(row["locked"])


@dataclass
class People:
    creator: Person
    collector: Person
    bidder: Person


def person(browser: Browser, server: ExchangeServer, name: str) -> Person:
    page = new_page(browser)
    sign_up(page, server, unique_email(name))
    account = page.request.get(server.base_url + "/api/v1/account/session").json()["userId"]
    server.admin("/api/v1/admin/deposits", user_id=account, asset="KRW", amount=str(DEPOSIT))
    return Person(page, account, server.base_url)


@pytest.fixture(scope="module")
def people(browser: Browser, exchange: ExchangeServer) -> Iterator[People]:
    found = People(*(person(browser, exchange, name) for name in ("creator", "collector",
                                                                   "bidder")))  # fmt: skip
    yield found
    for someone in (found.creator, found.collector, found.bidder):
        assert someone.page.script_errors == []  # type: ignore[attr-defined]
        someone.page.context.close()


@pytest.fixture(scope="module")
def artist(exchange: ExchangeServer) -> Trader:
    """An account that shares a royalty: a program's, with an API key."""
    return exchange.user("artist")


def new_code(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def confirm(page: Page, rows: dict[str, str]) -> None:
    """The confirmation dialog shows `rows` (its figures by name); confirmed."""
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    for name, value in rows.items():
        expect(dialog.locator(f'dd[data-field="{name}"]')).to_have_text(value)
    page.click("#confirm-ok")
    expect(dialog).to_be_hidden()


def create_collection(page: Page, code: str, name: str, royalty: str = "0") -> None:
    """In the studio (open on `page`): a collection of `code`, its royalty all the
    creator's."""
    page.fill("#collection-code", code)
    page.fill("#collection-name", name)
    page.fill("#collection-royalty", royalty)
    if royalty != "0":
        page.fill("#royalty-share-0", royalty)
    page.click("#collection-submit")
    expect(page.locator("#collection-message")).to_have_text(f"Created {name} ({code}).")


def mint(page: Page, code: str, names: list[str]) -> None:
    """In the studio: items 1, 2, ... of `code` named `names`, in one batch."""
    page.select_option("#mint-collection", code)
    for index, name in enumerate(names):
        if index:
            page.click("#mint-add")
        page.fill(f"#mint-name-{index}", name)
    page.click("#mint-submit")
    ids = ", ".join(f"#{n}" for n in range(1, len(names) + 1))
    expect(page.locator("#mint-message")).to_have_text(f"Minted {len(names)} item(s): {ids}.")


def file(name: str, mime: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe violation on the page as drawn now (its screenshot kept)."""
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    screenshot(page, f"nft-{name}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{page.url} ({name}):\n{describe(blocking)}"


def local_time(page: Page, seconds: float) -> str:
    """`seconds` from now as a datetime-local field takes it, in the browser's time zone."""
    text: str = page.evaluate(
        """(seconds) => {
            const d = new Date(Date.now() + seconds * 1000);
            const p = (n) => String(n).padStart(2, "0");
            const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
            return `${day}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        }""",
        seconds,
    )
    return text


def set_up_drop(page: Page, code: str, kind: str, price: str, lots: list[int], ends: str) -> int:
    """In the studio: a drop of one unit of each of `lots`; its id."""
    page.select_option("#drop-collection", code)
    page.check(f"#drop-kind-{kind}")
    page.fill("#drop-price", price)
    page.fill("#drop-end", ends)
    for index, token_id in enumerate(lots):
        if index:
            page.click("#lot-add")
        page.fill(f"#lot-token-{index}", str(token_id))
    page.click("#drop-submit")
    expect(page.locator("#drop-message")).to_contain_text(" is set up (")
    href = page.locator("#drop-open").get_attribute("href")
    assert href is not None
    return int(href.rsplit("/", 1)[1])


# (path, what shows the page is drawn): every NFT page, with what the module made.
def nft_pages(code: str, drop: int) -> dict[str, tuple[str, str]]:
    pages = {
        "explore": ("/nft", "#nft-collections tbody tr"),
        "collection": (f"/nft/{code}", "#nft-items .nft-card"),
        "activity": (f"/nft/{code}?tab=activity", "#nft-activity tbody tr"),
        "item": (f"/nft/{code}/1", "#nft-listings-table tbody tr"),
        "studio": ("/nft/studio", "#collection-form"),
        "mine": ("/nft/mine", "#my-items tbody tr"),
    }
    pages["drop"] = (f"/nft/drops/{drop}", "#drop-terms")
    return pages


def test_a_creator_sells_an_item_and_the_royalty_arrives_on_its_resale(
    exchange: ExchangeServer, people: People, artist: Trader
) -> None:
    creator, collector, buyer = people.creator, people.collector, people.bidder
    page = creator.page
    creator.goto("/nft/studio")
    expect(page.locator("#nft-title")).to_have_text("Creator studio")

    # Images: the server judges each file by its bytes, and its refusal is said in words.
    upload = page.locator("#upload-message")
    page.set_input_files("#upload-file", file("card.jpg", "image/jpeg", png(8, 8)))
    expect(upload).to_have_text(
        "card.jpg was refused: The file's name or type says one kind of file but its contents "
        "are another. Upload the image as it is, with its own extension."
    )
    page.set_input_files(
        "#upload-file", file("huge.png", "image/png", png(8, 8) + bytes(MAX_MEDIA_BYTES))
    )
    expect(upload).to_have_text(
        "huge.png was refused: The file is too large: an image may be at most 10 MiB."
    )
    page.set_input_files("#upload-file", file("stage.png", "image/png", png(64, 64)))
    expect(upload).to_have_text("Uploaded stage.png.")
    uploaded = page.locator("#uploads li").first
    expect(uploaded).to_contain_text("PNG, 64 × 64 pixels")
    sha256 = uploaded.get_attribute("data-sha256")
    assert sha256 is not None and re.fullmatch(r"[0-9a-f]{64}", sha256)

    # The royalty's split is checked as it is typed: the shares must make the whole.
    code = new_code("harbor")
    page.fill("#collection-code", code)
    page.fill("#collection-name", "Harbor Lights")
    page.fill("#collection-description", "Stage cards of a fictional band.")
    page.select_option("#collection-cover", sha256)
    page.fill("#collection-royalty", "7.5")
    expect(page.locator("#royalty-account-0")).to_have_value(str(creator.account))
    page.fill("#royalty-share-0", "5")
    check = page.locator("#royalty-check")
    expect(check).to_have_text("The shares add up to 5 %, not the royalty's 7.5 %.")
    page.click("#royalty-add")
    page.fill("#royalty-account-1", str(artist.user_id))
    page.fill("#royalty-share-1", "2.5")
    expect(check).to_have_text("7.5 % in all, split between 2 receiver(s).")
    page.fill("#collection-royalty", "12")
    expect(check).to_have_text("A royalty is at most 10 % in all.")
    page.fill("#collection-royalty", "7.5")
    screenshot(page, "nft-studio-collection")
    page.click("#collection-submit")
    expect(page.locator("#collection-message")).to_have_text(f"Created Harbor Lights ({code}).")
    expect(page.locator(f'#my-collections tr[data-code="{code}"]')).to_contain_text("7.5 %")

    # One item, with the image and its traits.
    page.select_option("#mint-collection", code)
    page.fill("#mint-name-0", "Busan night")
    page.select_option("#mint-image-0", sha256)
    page.fill("#mint-attributes-0", "Stage: Busan; Rarity: Rare")
    page.click("#mint-submit")
    expect(page.locator("#mint-message")).to_have_text("Minted 1 item(s): #1.")

    # The creator's own sale is a primary sale: no royalty, what it receives shown first.
    creator.goto(f"/nft/{code}/1")
    expect(page.locator("#nft-title")).to_have_text("Busan night")
    expect(page.locator("img.nft-item-media")).to_have_attribute(
        "src", f"/api/v1/nft/media/{sha256}"
    )
    expect(page.locator("#nft-fact-royalty dd")).to_have_text(
        f"7.5 % (5 % to You, 2.5 % to #{artist.user_id})"
    )
    page.fill("#sell-price", "100000")
    page.click("#sell-submit")
    confirm(page, {"price": "100,000 KRW", "fee": "1,000 KRW", "seller": "99,000 KRW"})
    expect(page.locator("#listing-message")).to_contain_text("Listed (listing ")
    creator_before = creator.krw()

    collector.goto(f"/nft/{code}/1")
    collector.page.locator("#nft-listings-table button.buy").click()
    confirm(collector.page, {"total": "100,000 KRW", "fee": "1,000 KRW", "seller": "99,000 KRW"})
    expect(collector.page.locator("#listing-message")).to_have_text(
        "Bought 1 × Busan night for 100,000 KRW."
    )
    expect(collector.page.locator("#nft-owner")).to_have_text("Owned by You")

    # The collector resells from My NFTs; its listing shows the royalty it will pay.
    collector.goto("/nft/mine")
    collector.page.click(f'#my-items tr[data-item="{code}-1"] button')
    collector.page.fill("#sell-price", "120000")
    collector.page.click("#sell-submit")
    confirm(collector.page, {"fee": "1,200 KRW", "royalty-0": "6,000 KRW",
                             "royalty-1": "3,000 KRW", "seller": "109,800 KRW"})  # fmt: skip
    expect(collector.page.locator("#mine-message")).to_contain_text("Listed (listing ")

    # The buyer sees the split, every royalty receiver named, before buying.
    buyer_before, artist_before = buyer.krw(), int(artist.balance("KRW")[0])
    buyer.goto(f"/nft/{code}/1")
    expect(buyer.page.locator("#nft-fact-price dd")).to_have_text("120,000 KRW")
    buyer.page.locator("#nft-listings-table button.buy").click()
    dialog = buyer.page.locator("#confirm-dialog")
    expect(dialog.locator("dt").nth(4)).to_have_text(f"Royalty to #{creator.account}")
    expect(dialog.locator("dt").nth(5)).to_have_text(f"Royalty to #{artist.user_id}")
    screenshot(buyer.page, "nft-buy-split")
    confirm(buyer.page, {"price": "120,000 KRW", "quantity": "1", "total": "120,000 KRW",
                         "fee": "1,200 KRW", "royalty-0": "6,000 KRW",
                         "royalty-1": "3,000 KRW", "seller": "109,800 KRW"})  # fmt: skip
    expect(buyer.page.locator("#listing-message")).to_have_text(
        "Bought 1 × Busan night for 120,000 KRW; 9,000 KRW of it went to the creators as royalty."
    )
    expect(buyer.page.locator("#nft-owner")).to_have_text("Owned by You")
    assert buyer.krw() == (buyer_before[0] - 120_000, 0)

    # The creator's royalty arrived in its balance; the artist's share in the artist's.
    creator.goto("/nft/mine")
    expect(page.locator('#my-balances [data-asset="KRW"] dd')).to_have_text(
        f"{creator_before[0] + 99_000 + 6_000:,} KRW free · 0 KRW set aside"
    )
    expect(page.locator("#my-royalties tbody tr").first.locator(".royalty-amount")).to_have_text(
        "6,000 KRW"
    )
    sale = page.locator('#my-sales tr[data-role="seller"]').first
    expect(sale.locator(".sale-total")).to_have_text("100,000 KRW")
    expect(sale.locator(".sale-seller")).to_have_text("99,000 KRW")
    screenshot(page, "nft-mine-royalty")
    collector.goto("/nft/mine")
    resale = collector.page.locator('#my-sales tr[data-role="seller"]').first
    expect(resale.locator(".sale-royalty")).to_have_text(
        f"9,000 KRW (#{creator.account} 6,000 KRW, #{artist.user_id} 3,000 KRW)"
    )
    expect(resale.locator(".sale-seller")).to_have_text("109,800 KRW")
    assert int(artist.balance("KRW")[0]) == artist_before + 3_000


def test_an_english_auction_with_two_bidders_ends_by_time(
    exchange: ExchangeServer, people: People
) -> None:
    creator, first, second = people.creator, people.collector, people.bidder
    seller = creator.page
    code = new_code("relics")
    creator.goto("/nft/studio")
    create_collection(seller, code, "Relics")
    mint(seller, code, ["Ember crown"])

    # Auctioned from My NFTs, as short as an auction may be.
    creator.goto("/nft/mine")
    seller.click(f'#my-items tr[data-item="{code}-1"] button')
    seller.check("#sell-mode-english")
    seller.fill("#sell-start-price", "10000")
    seller.fill("#sell-duration", "1")
    seller.select_option("#sell-duration-unit", "minutes")
    seller.click("#sell-submit")
    confirm(seller, {"start": "10,000 KRW", "quantity": "1"})
    expect(seller.locator("#mine-message")).to_contain_text("The auction started (auction ")
    expect(seller.locator(f'#my-items tr[data-item="{code}-1"] .item-state')).to_have_text(
        "1 in auction"
    )

    # The first bid, at the start price; then the second outbids it by the minimum raise.
    first_before, second_before = first.krw(), second.krw()
    bidder = first.page
    first.goto(f"/nft/{code}/1")
    expect(bidder.locator("#auction-minimum")).to_have_text("10,000 KRW")
    bidder.click("#nft-auction .nft-bid-form button[type=submit]")
    confirm(bidder, {"price": "10,000 KRW", "held": "10,000 KRW"})
    expect(bidder.locator("#auction-message")).to_have_text(
        "Your bid of 10,000 KRW is the highest; 10,000 KRW is set aside."
    )
    expect(bidder.locator("#auction-leading")).to_have_text("You are the highest bidder.")
    assert first.krw() == (first_before[0] - 10_000, 10_000)

    rival = second.page
    second.goto(f"/nft/{code}/1")
    expect(rival.locator("#auction-minimum")).to_have_text("10,500 KRW")
    rival.fill("#bid-price", "10400")
    rival.click("#nft-auction .nft-bid-form button[type=submit]")
    confirm(rival, {"price": "10,400 KRW"})
    expect(rival.locator("#auction-message")).to_have_text(
        "The bid is too low: it must reach the minimum shown."
    )
    rival.fill("#bid-price", "10500")
    rival.click("#nft-auction .nft-bid-form button[type=submit]")
    confirm(rival, {"price": "10,500 KRW", "held": "10,500 KRW"})
    expect(rival.locator("#auction-leading")).to_be_visible()

    # The first bidder's page learns it at once (the collection's stream), and its bid is
    # given back.
    expect(bidder.locator("#auction-outbid")).to_have_text(
        "You were outbid: the highest bid is now 10,500 KRW. Bid again to win it."
    )
    expect(bidder.locator("#auction-minimum")).to_have_text("11,025 KRW")
    screenshot(bidder, "nft-auction-outbid")
    assert first.krw() == first_before

    # While the auction runs its minute: its states read well to axe, the leader's in Korean
    # on a phone.
    assert_accessible(bidder, "auction-outbid-en")
    rival.set_viewport_size(PHONE)
    rival.select_option("#language", "ko")
    expect(rival.locator("#auction-leading")).to_have_text("내가 최고 입찰자입니다.")
    assert_accessible(rival, "auction-leading-ko")
    rival.select_option("#language", "en")
    rival.set_viewport_size(DESKTOP)

    # The auction ends by the sequencer's time (the server's settle timer): the second
    # bidder owns the item, the seller has the price less the fee.
    expect(rival.locator("#nft-owner")).to_have_text("Owned by You", timeout=90_000)
    expect(rival.locator("#nft-auction")).to_have_count(0)
    expect(bidder.locator("#nft-owner")).to_have_text(f"Owned by #{second.account}")
    assert second.krw() == (second_before[0] - 10_500, 0)


def test_a_mystery_box_opens_into_its_item_and_the_draw_verifies(
    exchange: ExchangeServer, people: People
) -> None:
    creator, fan = people.creator, people.collector
    page = creator.page
    code = new_code("boxes")
    creator.goto("/nft/studio")
    create_collection(page, code, "Lucky boxes")
    names = ["Gold ticket", "Silver ticket", "Iron ticket"]
    mint(page, code, names)
    # A box sale whose window closes in a few seconds: three boxes' worth in its pool.
    expect(page.locator("#drop-kind-box")).to_be_checked()
    drop = set_up_drop(page, code, "box", "20000", [1, 2, 3], local_time(page, 15))
    expect(page.locator("#lot-chance-0")).to_have_text("33.33 %")

    before = fan.krw()
    fan.goto(f"/nft/drops/{drop}")
    expect(fan.page.locator("#nft-title")).to_have_text("Mystery box: Lucky boxes")
    expect(fan.page.locator("#drop-status")).to_have_text("On sale")
    commitment = fan.page.locator("#drop-commitment code")
    expect(commitment).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(fan.page.locator("#drop-seed td")).to_have_text("Revealed after the window closes.")
    fan.page.fill("#drop-quantity", "1")
    fan.page.click("#drop-buy-submit")
    confirm(fan.page, {"price": "20,000 KRW", "quantity": "1", "total": "20,000 KRW"})
    expect(fan.page.locator("#buy-message")).to_have_text(
        "Bought 1 box(es). They open after the window closes."
    )
    expect(fan.page.locator("#drop-mine")).to_have_text(
        "You hold 1 box(es). They open after the window."
    )
    assert fan.krw() == (before[0] - 20_000, 20_000)

    # After the window the platform reveals the seed by itself: the box can be opened.
    opened = fan.page.locator("#drop-mine")
    expect(opened).to_have_text("You had 1 box(es). Open them to see what they hold.",
                                timeout=SETTLED_MS)  # fmt: skip
    expect(fan.page.locator("#drop-status")).to_have_text("Ended")
    expect(fan.page.locator("#drop-seed code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    fan.page.click("#boxes-open-all")
    box = fan.page.locator("#my-boxes .nft-box.opened")
    expect(box).to_have_count(1)
    item = box.locator(".nft-box-item")
    expect(item).to_have_text(re.compile("|".join(names)))
    expect(fan.page.locator("#boxes-opened")).to_contain_text(" opened into ")
    screenshot(fan.page, "nft-box-opened")
    won = item.get_attribute("href")
    assert won is not None and won.startswith(f"/nft/{code}/")
    expect(fan.page.locator("#drop-boxes tbody tr")).to_have_count(1)

    # Every box re-derived from the seed and the entries gives what was settled.
    fan.page.click("#drop-verify")
    expect(fan.page.locator("#drop-verify-result")).to_have_text(
        "Verified: the seed matches the commitment, and every draw worked out again from it "
        "gives exactly what was settled."
    )
    expect(fan.page.locator("#drop-verify-commitment")).to_have_text(
        "The seed hashes to the commitment published before the sale."
    )
    rederived = fan.page.locator("#drop-rederived tbody tr")
    expect(rederived).to_have_count(1)
    expect(rederived.locator("td").nth(3)).to_have_text("✓ Same")
    assert_accessible(fan.page, "drop-verified-en")
    assert fan.krw() == (before[0] - 20_000, 0)
    fan.goto(won)
    expect(fan.page.locator("#nft-owner")).to_have_text("Owned by You")


def test_every_page_loads_in_english_and_korean_on_a_phone_without_serious_axe_violations(
    browser: Browser, exchange: ExchangeServer, people: People
) -> None:
    collector = people.collector
    page = collector.page
    # The collector's collection: an item listed, with an offer on it.
    collector.goto("/nft/studio")
    code = new_code("pages")
    create_collection(page, code, "Pages", royalty="5")
    mint(page, code, ["Lantern", "Kite"])
    collector.goto(f"/nft/{code}/1")
    page.fill("#sell-price", "5000")
    page.click("#sell-submit")
    confirm(page, {"price": "5,000 KRW"})
    expect(page.locator("#listing-message")).to_contain_text("Listed")
    people.bidder.goto(f"/nft/{code}/1")
    people.bidder.page.fill("#offer-price", "4000")
    people.bidder.page.click("#offer-submit")
    confirm(people.bidder.page, {"held": "4,000 KRW"})
    expect(people.bidder.page.locator("#offer-message")).to_have_text(
        "Offer made: 4,000 KRW set aside."
    )

    collector.goto("/nft/studio")
    drop = set_up_drop(page, code, "fixed", "3000", [2], local_time(page, 86_400))

    seen: list[str] = []
    for language, viewport in (("en", DESKTOP), ("ko", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(exchange.base_url + "/nft")
        page.select_option("#language", language)
        for name, (path, ready) in nft_pages(code, drop).items():
            page.goto(exchange.base_url + path)
            expect(page.locator(ready).first).to_be_attached()
            assert_accessible(page, f"{name}-{language}")
            seen.append(path)
            # Nothing wider than the phone: the page scrolls down, not across.
            if viewport is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("#nft-title")).to_have_text("고정 가격 드롭: Pages")
    page.select_option("#language", "en")
    page.set_viewport_size(DESKTOP)
    assert page.script_errors == []  # type: ignore[attr-defined]
    assert len(seen) == 14

    # A visitor: the item without its forms, the personal pages asking to log in.
    visitor = new_page(browser, locale="ko-KR", width=PHONE["width"], height=PHONE["height"])
    visitor.goto(exchange.base_url + f"/nft/{code}/1")
    expect(visitor.locator("#nft-listings")).to_contain_text("구매하려면 로그인하세요.")
    assert_accessible(visitor, "item-visitor-ko")
    visitor.goto(exchange.base_url + "/nft/mine")
    login = visitor.locator("#wallet-login a")
    expect(login).to_have_attribute("href", "/login?next=%2Fnft%2Fmine")
    assert_accessible(visitor, "mine-visitor-ko")
    assert visitor.script_errors == []  # type: ignore[attr-defined]
    visitor.context.close()
