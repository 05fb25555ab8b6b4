"""A login from an address the account has not been used from is told to its owner by mail
(with the anti-phishing code, in the account's language); logins from known addresses, and
the first use of an account, are not. IPv6 addresses count by their /64."""

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from assetport.accounts.mail import MailJob, Outbox, SmtpServer
from assetport.accounts.service import Accounts, network_of
from assetport.accounts.store import MAX_LOGIN_ADDRESSES
from assetport.edge.users import UserStore

NOW_MS = 1_700_000_000_000
PASSWORD = "a long password for logins"
NEW_LOGIN = "New login from"


class Captured(Outbox):
    def __init__(self) -> None:
        super().__init__(SmtpServer("127.0.0.1", 25, "smtp"), "accounts@example.com")
        self.jobs: list[MailJob] = []

    def send(self, job: MailJob) -> None:
        self.jobs.append(job)

    def new_logins(self) -> list[EmailMessage]:
        """The new-login mails sent so far, in either language."""
        made = [job() for job in self.jobs]
        return [m for m in made if m is not None and _is_new_login(str(m["Subject"]))]


def _is_new_login(subject: str) -> bool:
    return NEW_LOGIN in subject or "새 주소에서 로그인" in subject


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[tuple[Accounts, Captured]]:
    outbox = Captured()
    service = Accounts(tmp_path, UserStore(tmp_path), outbox=outbox)
    yield service, outbox
    service.close()


def sign_up(service: Accounts, email: str, ip: str, language: str = "en") -> None:
    signed = asyncio.run(service.sign_up(email, PASSWORD, NOW_MS, ip, language))
    assert signed.created is not None


def log_in(service: Accounts, email: str, ip: str, minutes: int = 1) -> None:
    asyncio.run(service.log_in(email, PASSWORD, None, ip, NOW_MS + minutes * 60_000))


def test_a_login_from_a_new_address_is_told_once(accounts: tuple[Accounts, Captured]) -> None:
    service, outbox = accounts
    sign_up(service, "traveller@example.com", "203.0.113.5")
    log_in(service, "traveller@example.com", "203.0.113.5")  # where it signed up: quiet
    assert outbox.new_logins() == []
    log_in(service, "traveller@example.com", "198.51.100.7", minutes=2)
    (mail,) = outbox.new_logins()
    assert mail["To"] == "traveller@example.com"
    assert mail["Subject"] == "Assetport: New login from 198.51.100.7"
    body = mail.get_content()
    assert "198.51.100.7" in body and "2023-11-14 22:15:20" in body
    assert "/reset-password" in body and "/account" in body
    log_in(service, "traveller@example.com", "198.51.100.7", minutes=3)  # known now
    log_in(service, "traveller@example.com", "203.0.113.5", minutes=4)
    assert len(outbox.new_logins()) == 1


def test_the_mail_carries_the_anti_phishing_code_in_the_account_s_language(
    accounts: tuple[Accounts, Captured],
) -> None:
    service, outbox = accounts
    sign_up(service, "yuna@example.com", "203.0.113.9", language="ko")
    account = service.store.by_email("yuna@example.com")
    assert account is not None
    service.store.set_anti_phishing(account.user_id, "BLUE-CRANE")
    log_in(service, "yuna@example.com", "192.0.2.44")
    (mail,) = outbox.new_logins()
    assert mail["Subject"] == "[BLUE-CRANE] Assetport: 새 주소에서 로그인: 192.0.2.44"
    assert "BLUE-CRANE" in mail.get_content()


def test_an_ipv6_address_counts_by_its_64(accounts: tuple[Accounts, Captured]) -> None:
    service, outbox = accounts
    sign_up(service, "six@example.com", "2001:db8:1:2::10")
    log_in(service, "six@example.com", "2001:db8:1:2:abcd::99")  # the same /64: quiet
    assert outbox.new_logins() == []
    log_in(service, "six@example.com", "2001:db8:1:3::10", minutes=2)
    (mail,) = outbox.new_logins()
    assert "2001:db8:1:3::/64" in str(mail["Subject"])
    assert network_of("not an address") == "not an address"


def test_an_account_s_first_use_is_recorded_without_a_mail(
    accounts: tuple[Accounts, Captured],
) -> None:
    service, outbox = accounts
    sign_up(service, "operator-made@example.com", ip="")  # made inside the server
    log_in(service, "operator-made@example.com", "198.51.100.20")
    assert outbox.new_logins() == []
    log_in(service, "operator-made@example.com", "198.51.100.21", minutes=2)
    assert len(outbox.new_logins()) == 1


def test_the_oldest_addresses_are_forgotten_past_the_limit(
    accounts: tuple[Accounts, Captured],
) -> None:
    service, _ = accounts
    sign_up(service, "busy@example.com", "10.0.0.1")
    account = service.store.by_email("busy@example.com")
    assert account is not None
    for n in range(2, MAX_LOGIN_ADDRESSES + 5):
        service.store.note_login_address(account.user_id, f"10.0.0.{n}", NOW_MS + n)
    kept = service.store.database.all(
        "SELECT address FROM login_addresses WHERE user_id = ?", (account.user_id,)
    )
    assert len(kept) == MAX_LOGIN_ADDRESSES
    assert ("10.0.0.1",) not in kept  # the least recently used went first
