"""Price alerts by email (accounts/price_alerts.py): what is stored, what a person may ask,
and the watcher that fires them from the gateway's trades, on a real SQLite file."""

import sqlite3
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from assetport.accounts import letters
from assetport.accounts.mail import MailJob, Outbox, SmtpServer
from assetport.accounts.price_alerts import (
    KEEP_FIRED,
    MAX_ACTIVE,
    MarketPrice,
    PriceAlert,
    PriceAlerts,
)
from assetport.accounts.service import Accounts
from assetport.accounts.store import ACCOUNTS_DB_FILE, Account
from assetport.domain.commands import Command, Deposit
from assetport.domain.events import Deposited, Event, TradeExecuted
from assetport.edge.errors import ApiError
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_015_000
COMMAND: Command = Deposit(1000, "KRW", 1, "ref")


class Captured(Outbox):
    """An outbox that keeps its jobs (the letters are made when a test reads them)."""

    def __init__(self) -> None:
        super().__init__(SmtpServer("127.0.0.1", 25, "smtp"), "alerts@example.com")
        self.jobs: list[MailJob] = []

    def send(self, job: MailJob) -> None:
        self.jobs.append(job)

    def letters(self) -> list[EmailMessage]:
        made = [job() for job in self.jobs]
        return [letter for letter in made if letter is not None]


class Prices:
    """Two markets, prices in KRW units (precision 0); KGLD's tick is 10."""

    def __init__(self) -> None:
        self.last: dict[str, int | None] = {"KGLDKRW": 100_000, "KSLVKRW": None}

    def market_price(self, symbol: str) -> MarketPrice | None:
        if symbol not in self.last:
            return None
        base = symbol.removesuffix("KRW")
        return MarketPrice(base, "KRW", 0, 10 if base == "KGLD" else 1, self.last[symbol])


def open_alerts(data_dir: Path, outbox: Outbox | None = None) -> tuple[Accounts, PriceAlerts]:
    accounts = Accounts(data_dir, UserStore(data_dir), outbox=outbox or Captured())
    return accounts, PriceAlerts(accounts, Prices())


def person(
    accounts: Accounts, email: str, *, verified: bool = True, language: str = "en"
) -> Account:
    user = accounts.users.create(email, NOW_MS)
    accounts.store.add(user.user_id, email, "not a real hash", NOW_MS, language)
    if verified:
        accounts.store.set_verified(user.user_id)
    return accounts.account(user.user_id)


def trade(price: int, symbol: str = "KGLDKRW", trade_id: int = 1) -> TradeExecuted:
    return TradeExecuted(
        7, NOW_MS + 1000, symbol, trade_id, price, 1, price, 1, 2, 1001, 1002, False, 0, 0, 0
    )


def run(alerts: PriceAlerts, *events: Event) -> None:
    alerts.on_command(7, COMMAND, list(events), [])


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Accounts, PriceAlerts, Account, Captured]]:
    outbox = Captured()
    accounts, alerts = open_alerts(tmp_path, outbox)
    yield accounts, alerts, person(accounts, "ana@example.com"), outbox
    accounts.close()


Setup = tuple[Accounts, PriceAlerts, Account, Captured]


def test_direction_is_the_side_of_the_last_price(setup: Setup) -> None:
    _, alerts, ana, _ = setup
    assert alerts.create(ana, "KGLDKRW", "110000", NOW_MS).direction == "up"
    assert alerts.create(ana, "KGLDKRW", " 90000 ", NOW_MS).direction == "down"
    assert [a.price for a in alerts.of(ana)] == [90_000, 110_000]  # newest first


@pytest.mark.parametrize(
    ("symbol", "price", "code"),
    [
        ("NOPEKRW", "110000", -8040),
        ("KGLDKRW", "110005", -8041),  # off the tick
        ("KGLDKRW", "0", -8041),
        ("KGLDKRW", "-10", -8041),
        ("KGLDKRW", "1e3x", -8041),
        ("KGLDKRW", "100000.5", -8041),  # finer than the quote asset
        ("KGLDKRW", "100000", -8042),  # the last price: no side to wait on
        ("KSLVKRW", "5", -8043),  # no trade yet
    ],
)
def test_refusals(setup: Setup, symbol: str, price: str, code: int) -> None:
    _, alerts, ana, _ = setup
    with pytest.raises(ApiError) as refused:
        alerts.create(ana, symbol, price, NOW_MS)
    assert refused.value.code == code
    assert alerts.of(ana) == []


def test_an_unverified_address_or_a_server_without_mail_gets_none(tmp_path: Path) -> None:
    accounts, alerts = open_alerts(tmp_path)
    bob = person(accounts, "bob@example.com", verified=False)
    with pytest.raises(ApiError) as refused:
        alerts.create(bob, "KGLDKRW", "110000", NOW_MS)
    assert (refused.value.code, refused.value.http_status) == (-8046, 403)
    accounts.outbox = Outbox(None, "x@example.com")  # no --smtp-url
    accounts.store.set_verified(bob.user_id)
    with pytest.raises(ApiError) as off:
        alerts.create(accounts.account(bob.user_id), "KGLDKRW", "110000", NOW_MS)
    assert off.value.code == -8047
    accounts.close()


def test_at_most_twenty_wait_and_fired_ones_do_not_count(setup: Setup) -> None:
    accounts, alerts, ana, _ = setup
    for step in range(MAX_ACTIVE):
        alerts.create(ana, "KGLDKRW", str(100_010 + 10 * step), NOW_MS)
    with pytest.raises(ApiError) as refused:
        alerts.create(ana, "KGLDKRW", "200000", NOW_MS)
    assert (refused.value.code, refused.value.http_status) == (-8044, 409)
    # Another account has its own twenty.
    alerts.create(person(accounts, "cy@example.com"), "KGLDKRW", "200000", NOW_MS)
    run(alerts, trade(100_010))  # the lowest fires: a place is free again
    alerts.create(ana, "KGLDKRW", "200000", NOW_MS)


def test_old_fired_alerts_are_pruned(setup: Setup) -> None:
    _, alerts, ana, _ = setup
    for step in range(KEEP_FIRED + 5):
        alerts.create(ana, "KGLDKRW", "100010", NOW_MS)
        run(alerts, trade(100_010, trade_id=step))
    alerts.create(ana, "KGLDKRW", "100010", NOW_MS)
    shown = alerts.of(ana)
    assert sum(a.fired_ms is not None for a in shown) == KEEP_FIRED
    assert sum(a.fired_ms is None for a in shown) == 1


def test_delete_is_per_account(setup: Setup) -> None:
    accounts, alerts, ana, outbox = setup
    alert = alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    other = person(accounts, "eve@example.com")
    with pytest.raises(ApiError) as refused:
        alerts.delete(other, alert.id)
    assert (refused.value.code, refused.value.http_status) == (-8045, 404)
    alerts.delete(ana, alert.id)
    assert alerts.of(ana) == [] and alerts.waiting_count == 0
    run(alerts, trade(120_000))  # a deleted alert mails nobody
    assert outbox.jobs == []


def test_crossing_up_and_down_and_a_jump_over(setup: Setup) -> None:
    _, alerts, ana, outbox = setup
    up = alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    down = alerts.create(ana, "KGLDKRW", "90000", NOW_MS)
    run(alerts, trade(109_990), trade(90_010))  # near both, reaches neither
    assert outbox.jobs == [] and alerts.waiting_count == 2
    run(alerts, trade(125_000))  # jumps over the up alert's price
    assert fired_ids(alerts, ana) == {up.id: 125_000}
    run(alerts, trade(90_000))  # touches the down alert's price
    assert fired_ids(alerts, ana) == {up.id: 125_000, down.id: 90_000}
    assert len(outbox.letters()) == 2


def test_fires_once_with_several_trades_in_one_command(setup: Setup) -> None:
    _, alerts, ana, outbox = setup
    alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    run(alerts, trade(110_000, trade_id=1), trade(111_000, trade_id=2), trade(112_000, trade_id=3))
    run(alerts, trade(113_000, trade_id=4))
    [letter] = outbox.letters()
    assert "110000" in str(letter["Subject"])
    # The first trade that reached it is the one named.
    assert "at 110000 KRW" in letter.get_content()


def test_several_alerts_of_several_markets_and_accounts(setup: Setup) -> None:
    accounts, alerts, ana, outbox = setup
    ko = person(accounts, "min@example.com", language="ko")
    alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    alerts.create(ana, "KGLDKRW", "120000", NOW_MS)
    alerts.create(ko, "KGLDKRW", "115000", NOW_MS)
    alerts.create(ko, "KGLDKRW", "80000", NOW_MS)
    run(alerts, Deposited(7, NOW_MS, 1000, "KRW", 5, "r"), trade(116_000, symbol="KSLVKRW"))
    assert outbox.jobs == []  # another market's trade, or no trade, fires nothing
    run(alerts, trade(116_000))
    sent = outbox.letters()
    assert sorted(str(m["To"]) for m in sent) == ["ana@example.com", "min@example.com"]
    korean = next(m for m in sent if m["To"] == "min@example.com")
    assert "가격 알림" in str(korean["Subject"])
    assert alerts.waiting_count == 2  # 120000 up, 80000 down


def test_the_letter_carries_the_anti_phishing_code(setup: Setup) -> None:
    accounts, alerts, ana, outbox = setup
    alerts.create(ana, "KGLDKRW", "90000", NOW_MS)
    run(alerts, trade(80_000))
    accounts.store.set_anti_phishing(ana.user_id, "Owl42")  # the code as the mail is made
    [letter] = outbox.letters()
    assert str(letter["Subject"]).startswith("[Owl42] Assetport: Price alert: KGLD/KRW fell")
    assert letter.get_content().startswith("Your anti-phishing code: Owl42")
    assert f"{accounts.public_url}/trade/KGLDKRW" in letter.get_content()
    # Every language has the alert's texts.
    for language in letters.LANGUAGES:
        made = letters.price_alert(
            "a@example.com", language, "C0de", "http://x", symbol="KGLDKRW", pair="KGLD/KRW",
            quote="KRW", up=True, price="1", last="2",
        )  # fmt: skip
        assert str(made["Subject"]).startswith("[C0de] ")


def test_a_restart_keeps_the_fired_state(tmp_path: Path) -> None:
    outbox = Captured()
    accounts, alerts = open_alerts(tmp_path, outbox)
    ana = person(accounts, "ana@example.com")
    fired = alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    waiting = alerts.create(ana, "KGLDKRW", "130000", NOW_MS)
    run(alerts, trade(120_000))
    accounts.close()

    again_outbox = Captured()
    again, again_alerts = open_alerts(tmp_path, again_outbox)
    assert again_alerts.waiting_count == 1
    run(again_alerts, trade(120_000))  # fired before the restart: not again
    assert again_outbox.jobs == []
    run(again_alerts, trade(130_000))
    assert fired_ids(again_alerts, ana) == {fired.id: 120_000, waiting.id: 130_000}
    assert len(again_outbox.jobs) == 1
    again.close()
    # In the accounts' file, beside the other tables.
    db = sqlite3.connect(tmp_path / ACCOUNTS_DB_FILE)
    assert db.execute(
        "SELECT COUNT(*) FROM price_alerts WHERE fired_ms IS NOT NULL"
    ).fetchone() == (2,)
    db.close()


def test_an_alert_marked_elsewhere_mails_once(setup: Setup) -> None:
    """Two gateways sharing the file: whichever marks the alert first mails."""
    _, alerts, ana, outbox = setup
    alert = alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    assert alerts.store.mark_fired([(alert.id, NOW_MS, 110_000)]) == [alert.id]
    run(alerts, trade(110_000))
    assert outbox.jobs == []


def test_api_answer(setup: Setup) -> None:
    _, alerts, ana, _ = setup
    alert = alerts.create(ana, "KGLDKRW", "110000", NOW_MS)
    assert alerts.shown(alert) == {
        "id": alert.id, "symbol": "KGLDKRW", "price": "110000", "direction": "up",
        "createTime": NOW_MS, "fired": False, "firedTime": None, "firedPrice": None,
    }  # fmt: skip


def fired_ids(alerts: PriceAlerts, account: Account) -> dict[int, int | None]:
    shown: list[PriceAlert] = alerts.of(account)
    return {a.id: a.fired_price for a in shown if a.fired_ms is not None}
