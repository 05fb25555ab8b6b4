"""Passwords (argon2id), emails as stored, and the login attempt limit."""

from assetport.accounts import passwords
from assetport.accounts.attempts import AttemptLimiter


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
    assert not passwords.strong_enough("nine char")
    assert passwords.strong_enough("ten chars!")
    assert not passwords.strong_enough("x" * 1025)


def test_emails_are_normalised_and_checked() -> None:
    assert passwords.normalise_email("  Alice@Example.COM ") == "alice@example.com"
    assert passwords.normalise_email("ＡＬＩＣＥ@example.com") == "alice@example.com"  # NFKC
    for bad in ("", "alice", "@example.com", "alice@", "alice@localhost", "a b@example.com",
                "a@b@example.com", "x" * 250 + "@example.com"):  # fmt: skip
        assert passwords.normalise_email(bad) is None, bad


def test_the_attempt_limit_counts_per_email_and_per_address() -> None:
    limiter = AttemptLimiter(per_email=3, per_ip=5, window_ms=60_000)
    for t in range(3):
        assert limiter.retry_after_s("a@x.io", "10.0.0.1", t) is None
        limiter.failed("a@x.io", "10.0.0.1", t)
    assert limiter.retry_after_s("a@x.io", "10.0.0.9", 100) == 60  # the email is locked
    assert limiter.retry_after_s("b@x.io", "10.0.0.1", 100) is None
    limiter.failed("b@x.io", "10.0.0.1", 200)
    limiter.failed("c@x.io", "10.0.0.1", 300)
    assert limiter.retry_after_s("d@x.io", "10.0.0.1", 400) is not None  # the address is
    assert limiter.retry_after_s("a@x.io", "10.0.0.9", 60_001) is None  # the window moved on


def test_a_good_login_clears_the_email_count() -> None:
    limiter = AttemptLimiter(per_email=2, per_ip=100, window_ms=60_000)
    limiter.failed("a@x.io", "10.0.0.1", 0)
    limiter.succeeded("a@x.io")
    limiter.failed("a@x.io", "10.0.0.1", 1)
    assert limiter.retry_after_s("a@x.io", "10.0.0.1", 2) is None
