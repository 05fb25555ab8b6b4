"""Names people give things (API key labels, user names): shown to other people later, in
pages, logs and terminals, so they must read as what they are.

Refused: control characters (a newline or escape sequence would forge a log line or drive a
terminal) and the bidirectional controls, which reorder the text around them so that what
is displayed is not what is stored ("Trojan Source", CVE-2021-42574): the embeddings and
overrides U+202A-U+202E, the isolates U+2066-U+2069, the marks U+200E, U+200F and U+061C.
"""

import unicodedata
from typing import Final

BIDI_CONTROLS: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Cc: C0 and C1 controls (NUL, newline, ESC, DEL, ...); Cs: lone surrogates; Zl, Zp: the
# line and paragraph separators, which break a line like a newline does.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})


class LabelError(ValueError):
    """A name or label that cannot be stored as given."""


def check_label(text: str, what: str, max_length: int) -> str:
    """`text` if it is a valid label of at most `max_length` characters; else `LabelError`
    saying why (`what` names it: "a label", "a user name")."""
    if len(text) > max_length:
        raise LabelError(f"{what} has at most {max_length} characters")
    for character in text:
        if character in BIDI_CONTROLS:
            raise LabelError(
                f"{what} must not contain the bidirectional control U+{ord(character):04X}"
            )
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            raise LabelError(
                f"{what} must not contain the control character U+{ord(character):04X}"
            )
    return text
