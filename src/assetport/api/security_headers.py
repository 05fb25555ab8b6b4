"""The security headers of every HTML page the server answers: the web pages (`web/pages.py`)
and the API's `/docs` page. One definition, so a page cannot be left with a weaker policy.

Scripts only from this origin, no framing, no inline script: the pages handle money.
Styles allow inline because the chart library positions its canvases with style attributes
(and `/docs` carries its small style sheet inline).
"""

from typing import Final

SECURITY_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
