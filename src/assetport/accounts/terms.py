"""Consent to the terms of use and the risk disclosure, asked at sign-up.

The terms and the disclosure are pages of the site (web/src/messages/info.js, in English and
Korean), published together under one version: the date they last changed. A sign-up names
the version the person ticked the box for, and the account keeps it with the time; one that
names none, or an older one (a page left open across a change of the terms), is refused, so
no account exists whose owner did not accept the terms in force.

Changing the terms' text means a new `TERMS_VERSION` here and the same in
web/src/lib/welcome.js: the sign-up page sends that one, and a browser test signs up with it.
"""

from typing import Final

from assetport.accounts import errors

TERMS_VERSION: Final = "2026-12-04"


def check_consent(accepted_version: str) -> str:
    """The version consented to; -8027 unless it is the terms in force."""
    if accepted_version != TERMS_VERSION:
        raise errors.TERMS_NOT_ACCEPTED.error()
    return accepted_version
