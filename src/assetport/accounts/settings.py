"""What an operator sets for accounts (`assetport serve` options; see docs/accounts.md)."""

import argparse
from dataclasses import dataclass
from typing import Final

DEFAULT_MAIL_FROM: Final = "Assetport <no-reply@assetport.invalid>"


@dataclass(frozen=True)
class AccountSettings:
    smtp_url: str | None = None  # None: no mail is sent (the sandbox runs its own catcher)
    mail_from: str = DEFAULT_MAIL_FROM
    # The address people reach the site at, for links in mails; by default the address the
    # server listens on (right for the sandbox on 127.0.0.1, wrong behind a proxy).
    public_url: str | None = None
    signups_per_hour: int = 10  # per client address
    session_idle_minutes: int = 30


_DEFAULTS: Final = AccountSettings()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """`assetport serve`'s account options."""
    parser.add_argument(
        "--smtp-url",
        default=None,
        help="mail server: smtp://host:port, smtp+starttls://user@host:587 or smtps://...; "
        "the password in ASSETPORT_SMTP_PASSWORD (default: no mail; --demo catches it)",
    )
    parser.add_argument("--mail-from", default=_DEFAULTS.mail_from, help="sender of the mails")
    parser.add_argument(
        "--public-url",
        default=None,
        help="the site's address for links in mails, e.g. https://exchange.example "
        "(default: the address the server listens on)",
    )
    parser.add_argument(
        "--signups-per-hour",
        type=_positive,
        default=_DEFAULTS.signups_per_hour,
        help="sign-ups per client address",
    )
    parser.add_argument(
        "--session-idle-minutes",
        type=_positive,
        default=_DEFAULTS.session_idle_minutes,
        help="a session ends when idle",
    )


def from_arguments(args: argparse.Namespace) -> AccountSettings:
    return AccountSettings(
        smtp_url=args.smtp_url,
        mail_from=args.mail_from,
        public_url=args.public_url,
        signups_per_hour=args.signups_per_hour,
        session_idle_minutes=args.session_idle_minutes,
    )
