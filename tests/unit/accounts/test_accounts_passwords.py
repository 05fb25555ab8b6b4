"""Passwords (argon2id), emails as stored, and the attempt limits."""

from pathlib import Path

import pytest

from assetport.accounts import passwords
from assetport.accounts.attempts import Attempts, Limit, TooMany
from assetport.accounts.database import Database
from assetport.accounts.emails import normalise_email
from assetport.api.errors import ApiError


def test_hashes_are_argon2id_salted_and_verify_only_the_right_password() -> None:
    first = passwords.hash_password("correct horse battery")
    second = passwords.hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second  # a random salt each time
    assert passwords.verify_password(first, "correct horse battery")
    assert not passwords.verify_password(first, "correct horse battery!")
    assert not passwords.needs_rehash(first)


def test_an_unknown_account_never_verifies() -> None:
    assert not passwords.verify_password(None, "assetport-no-such-account")
    assert not passwords.verify_password("not a hash", "anything at all")


def test_password_length_rule() -> None:
    passwords.check_form("ten chars!")
    passwords.check_form("x" * 1024)
    for wrong_length in ("nine char", "x" * 1025):
        with pytest.raises(ApiError) as refused:
            passwords.check_form(wrong_length)
        assert refused.value.code == -8003


def test_emails_are_normalised_and_checked() -> None:
    assert normalise_email("  Alice@Example.COM ") == "alice@example.com"
    assert normalise_email("ＡＬＩＣＥ@example.com") == "alice@example.com"  # NFKC
    assert normalise_email("bob@xn--exmple-cua.com") == normalise_email("bob@exämple.com")
    for bad in ("", "alice", "@example.com", "alice@", "alice@localhost", "a b@example.com",
                "a@b@example.com", "x" * 250 + "@example.com", "alice@example.com.",
                "ali\u200bce@example.com", "alice@exa\u200dmple.com", "al\x00ice@example.com",
                "alice\u202e@example.com", "alice@.example.com", "alice@example..com",
                ".alice@example.com", "al..ice@example.com", '"al"@example.com',
                "alice@-example.com"):  # fmt: skip
        assert normalise_email(bad) is None, repr(bad)


PER_EMAIL = Limit("login-email", 3, 60_000)
PER_ADDRESS = Limit("login-address", 5, 60_000)


def test_the_attempt_limit_counts_per_email_and_per_address(tmp_path: Path) -> None:
    attempts = Attempts(Database(tmp_path))
    for t in range(3):
        attempts.reserve(t, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.1"))
    with pytest.raises(TooMany) as locked:  # the email is locked, from any address
        attempts.reserve(100, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.9"))
    assert locked.value.retry_after_s == 60
    attempts.reserve(100, (PER_EMAIL, "b@x.io"), (PER_ADDRESS, "10.0.0.1"))
    attempts.reserve(200, (PER_EMAIL, "c@x.io"), (PER_ADDRESS, "10.0.0.1"))
    with pytest.raises(TooMany):  # the address is
        attempts.reserve(400, (PER_EMAIL, "d@x.io"), (PER_ADDRESS, "10.0.0.1"))
    # A refused attempt counted nothing: the window moved on for the first email.
    attempts.reserve(60_001, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.9"))


def test_what_succeeds_is_forgotten_and_a_good_login_clears_the_email(tmp_path: Path) -> None:
    attempts = Attempts(Database(tmp_path))
    attempts.reserve(0, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.1"))
    attempts.reserve(1, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.1"))
    good = attempts.reserve(2, (PER_EMAIL, "a@x.io"), (PER_ADDRESS, "10.0.0.1"))
    attempts.forget(good)
    attempts.clear(PER_EMAIL, "a@x.io")
    for t in range(3, 6):
        attempts.reserve(t, (PER_EMAIL, "a@x.io"))
    # The address kept its two failures, not the good attempt: three more fill it.
    for t in range(6, 9):
        attempts.reserve(t, (PER_ADDRESS, "10.0.0.1"))
    with pytest.raises(TooMany):
        attempts.reserve(9, (PER_ADDRESS, "10.0.0.1"))


def test_the_counts_outlive_a_restart(tmp_path: Path) -> None:
    first = Database(tmp_path)
    for t in range(3):
        Attempts(first).reserve(t, (PER_EMAIL, "a@x.io"))
    first.close()
    with pytest.raises(TooMany):
        Attempts(Database(tmp_path)).reserve(10, (PER_EMAIL, "a@x.io"))


def test_common_easy_and_control_character_passwords_are_refused() -> None:
    for weak in ("password123", "qwertyuiop", "1234567890", "aaaaaaaaaaaa", "alice@example.com",
                 "assetport123", "Password1!"):  # fmt: skip
        with pytest.raises(ApiError) as refused:
            passwords.check_strength(weak, "alice@example.com")
        assert refused.value.code == -8016, weak
    passwords.check_strength("correct horse battery", "alice@example.com")
    for control in ("ten chars\x00!", "line\nbreak here", "\ud800 lone surrogate"):
        with pytest.raises(ApiError) as refused:
            passwords.check_form(control)
        assert refused.value.code == -8017, repr(control)
    # A password that could never have been set does not crash a login either.
    assert not passwords.verify_password(passwords.hash_password("x" * 12), "\ud800" * 12)
    assert not passwords.verify_password(None, "x" * 5000)
