"""Failed login attempts per email and per client address in a sliding window.

Guessing a password (or a two-factor code) needs many tries; after `per_email` failures for
one email, or `per_ip` from one address, within `window_ms`, logins are refused until the
oldest failure leaves the window, even with the right password (otherwise the limit would
tell a guesser when it guessed right). Kept in memory: a restart forgets it, which costs a
guesser a restart of our server, not a way around the limit.
"""

from collections import deque
from typing import Final

WINDOW_MS: Final = 15 * 60 * 1000
PER_EMAIL: Final = 5
PER_IP: Final = 50


class AttemptLimiter:
    def __init__(
        self, *, per_email: int = PER_EMAIL, per_ip: int = PER_IP, window_ms: int = WINDOW_MS
    ) -> None:
        self._limits = {"email": per_email, "ip": per_ip}
        self._window_ms = window_ms
        self._failures: dict[tuple[str, str], deque[int]] = {}

    def retry_after_s(self, email: str, ip: str, now_ms: int) -> int | None:
        """Seconds until a login for `email` from `ip` may be tried, or None if it may now."""
        waits = []
        for kind, subject in (("email", email), ("ip", ip)):
            failures = self._recent((kind, subject), now_ms)
            if not failures:
                del self._failures[(kind, subject)]  # nothing to remember: no memory kept
            elif len(failures) >= self._limits[kind]:
                waits.append(failures[0] + self._window_ms - now_ms)
        return max(1, -(-max(waits) // 1000)) if waits else None

    def failed(self, email: str, ip: str, now_ms: int) -> None:
        for subject in (("email", email), ("ip", ip)):
            self._recent(subject, now_ms).append(now_ms)

    def succeeded(self, email: str) -> None:
        """A good login clears the email's failures (not the address's: one address may
        hold a guesser and a real user)."""
        self._failures.pop(("email", email), None)

    def _recent(self, subject: tuple[str, str], now_ms: int) -> deque[int]:
        failures = self._failures.setdefault(subject, deque())
        while failures and failures[0] <= now_ms - self._window_ms:
            failures.popleft()
        return failures
