"""Email addresses as stored and compared: one mailbox, one spelling, one account.

NFKC first (a full-width `ＡＬＩＣＥ` is `ALICE`), then trimmed; refused when it has a
control, format (zero-width, bidirectional) or other invisible character, or white space
inside, since those make two strings for what a mail server treats as one address. Lower
case as a whole: domains are case-insensitive, and no provider people use treats `Alice@`
and `alice@` as two mailboxes. The domain: labels of letters, digits and hyphens, none
empty (so no trailing dot: `example.com.` is `example.com` to DNS), punycode labels
(`xn--...`) read back to Unicode so the two spellings of one name are one.
"""

import unicodedata
from typing import Final

MAX_EMAIL: Final = 254  # RFC 5321's limit on a forward path
MAX_LOCAL: Final = 64
MAX_LABEL: Final = 63
# Letters of a local part that need quoting in SMTP: nobody's address uses them.
_LOCAL_SPECIALS: Final = frozenset('"(),:;<>@[\\]')


def _invisible(char: str) -> bool:
    """Control, format (zero-width, bidi), surrogate, private-use, unassigned, separators."""
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp") or char.isspace()


def _label(label: str) -> str | None:
    if label.startswith("xn--"):
        try:
            label = label.encode("ascii").decode("idna").lower()
        except (UnicodeError, ValueError):
            return None
    if not label or len(label) > MAX_LABEL or label[0] == "-" or label[-1] == "-":
        return None
    if not all(char.isalnum() or char == "-" for char in label):
        return None
    return label


def normalise_email(text: str) -> str | None:
    """The email as stored and compared, or None when it is not an address."""
    if len(text) > 4 * MAX_EMAIL:  # before any work on a long string
        return None
    email = unicodedata.normalize("NFKC", text).strip().lower()
    if not email or len(email) > MAX_EMAIL or any(_invisible(char) for char in email):
        return None
    # One @ only: quoted local parts with an @ are legal and used by nobody.
    local, _, domain = email.partition("@")
    if email.count("@") != 1 or not local or len(local) > MAX_LOCAL:
        return None
    if local[0] == "." or local[-1] == "." or ".." in local or _LOCAL_SPECIALS & set(local):
        return None
    labels = [_label(label) for label in domain.split(".")]
    if len(labels) < 2 or any(label is None for label in labels):
        return None
    return f"{local}@{'.'.join(label for label in labels if label is not None)}"
