"""The accounts' errors, Binance-style `{"code", "msg"}` in -8000..-8099 (Binance spot uses
no -8xxx codes; the gateway's own additions are in -7000..-7099)."""

from typing import Final

from assetport.edge.errors import ErrorSpec

BAD_REQUEST: Final = ErrorSpec(-8000, "The request body must be a JSON object.")
INVALID_EMAIL: Final = ErrorSpec(-8001, "The email address is not valid.")
# -8002 (the address has an account) is no longer sent: a sign-up answers the same for a
# taken address, which gets a mail instead.
WEAK_PASSWORD: Final = ErrorSpec(-8003, "The password must have 10 to 1024 characters.")
BAD_CREDENTIALS: Final = ErrorSpec(-8004, "Invalid email or password.", 401)
TOO_MANY_ATTEMPTS: Final = ErrorSpec(-8005, "Too many login attempts; try again later.", 429)
TOTP_REQUIRED: Final = ErrorSpec(-8006, "A two-factor code is required.", 401)
TOTP_INVALID: Final = ErrorSpec(
    -8007, "The two-factor code or recovery code is not valid, or was used already.", 401
)
NOT_LOGGED_IN: Final = ErrorSpec(-8008, "Not logged in, or the session has expired.", 401)
CSRF_FAILED: Final = ErrorSpec(-8009, "Missing or invalid X-CSRF-Token header.", 403)
TOTP_ALREADY_ON: Final = ErrorSpec(-8010, "Two-factor login is already enabled.", 409)
TOTP_NOT_ENROLLED: Final = ErrorSpec(-8011, "Two-factor login is not enrolled.", 409)
INVALID_ANTI_PHISHING: Final = ErrorSpec(
    -8012, "The anti-phishing code must have 4 to 20 letters or digits."
)
KEY_NOT_FOUND: Final = ErrorSpec(-8013, "No such API key.", 404)
INVALID_KEY_REQUEST: Final = ErrorSpec(-8014, "Invalid API key request.")
JSON_REQUIRED: Final = ErrorSpec(-8015, "Content-Type must be application/json.", 415)
COMMON_PASSWORD: Final = ErrorSpec(
    -8016, "The password is too common or too easy to guess; a passphrase of a few unusual "
    "words is better."
)  # fmt: skip
PASSWORD_CONTROL_CHARACTERS: Final = ErrorSpec(
    -8017, "The password must not contain control characters."
)
INVALID_LINK: Final = ErrorSpec(-8018, "The link is not valid or has expired.")
WRONG_PASSWORD: Final = ErrorSpec(-8019, "The current password is not correct.", 403)
EMAIL_NOT_VERIFIED: Final = ErrorSpec(
    -8020, "Verify your email address before trading: open the link we sent you.", 403
)
TOO_MANY_SIGNUPS: Final = ErrorSpec(
    -8021, "Too many sign-ups from this address; try again later.", 429
)
BUSY: Final = ErrorSpec(-8022, "The server is busy; try again in a few seconds.", 429)
TOO_MANY_MAILS: Final = ErrorSpec(-8023, "Too many emails asked for; try again later.", 429)
# Re-authentication: turning two-factor login off, a trading API key, new recovery codes
# and security settings need the password (and a second factor when it is on) again, so an
# open laptop or a stolen session cookie is not enough. 403, never 401: the session itself
# is fine, and a page must not take the refusal for a logged-out session.
REAUTH_REQUIRED: Final = ErrorSpec(-8024, "Confirm this change with your password.", 403)
REAUTH_CODE_REQUIRED: Final = ErrorSpec(
    -8025, "Confirm this change with a two-factor code or a recovery code.", 403
)
REAUTH_CODE_INVALID: Final = ErrorSpec(
    -8026, "The two-factor code or recovery code is not valid, or was used already.", 403
)
# Sign-up without ticking the terms of use and the risk disclosure, or with a version of them
# that is no longer in force (`terms.py`).
TERMS_NOT_ACCEPTED: Final = ErrorSpec(
    -8027, "Accept the terms of use and the risk disclosure to sign up."
)
# A key that may withdraw moves money off the platform: as on Binance, it is made only on an
# account with two-factor login on, and confirmed with the password and a current code.
WITHDRAW_KEY_NEEDS_TOTP: Final = ErrorSpec(
    -8028, "Turn on two-factor authentication before making a key that may withdraw.", 403
)
# Price alerts by email (`price_alerts.py`): a block of their own, -8040..-8049.
ALERT_UNKNOWN_SYMBOL: Final = ErrorSpec(-8040, "No market has this symbol.")
ALERT_BAD_PRICE: Final = ErrorSpec(
    -8041, "The alert price must be a positive multiple of the market's tick size."
)
ALERT_AT_LAST_PRICE: Final = ErrorSpec(
    -8042, "The last trade is at this price already: choose a price above or below it."
)
ALERT_NO_LAST_PRICE: Final = ErrorSpec(
    -8043, "The market has no trade yet to compare the alert price with.", 409
)
TOO_MANY_ALERTS: Final = ErrorSpec(
    -8044, "At most 20 email alerts can wait at once: remove one first.", 409
)
ALERT_NOT_FOUND: Final = ErrorSpec(-8045, "No such price alert.", 404)
ALERT_EMAIL_NOT_VERIFIED: Final = ErrorSpec(
    -8046, "Verify your email address before asking for alerts by email.", 403
)
ALERT_MAIL_OFF: Final = ErrorSpec(-8047, "This server sends no mail.", 409)
