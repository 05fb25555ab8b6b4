"""Balances kept from the events' postings, for a gateway that cannot ask the engine.

A gateway over the command port (`api/engine_link.py`, `PortEngine`) seeds this from the
engine's balances and applies the postings (`domain/postings.py`, the derivation the SQL
ledger uses and a property test holds to the engine's own ledger) of every event its
replies carry. The in-process gateway reads the engine's balances instead.
"""

from collections.abc import Iterable

from assetport.domain.events import Event
from assetport.domain.postings import FREE, Posting, PostingRules


class Balances:
    def __init__(self) -> None:
        self._rules = PostingRules()
        # account -> asset -> [free, held]
        self._accounts: dict[int, dict[str, list[int]]] = {}

    def seed(
        self, pairs: dict[str, tuple[str, str]], balances: Iterable[tuple[int, str, int, int]]
    ) -> None:
        """Start (or start again) from the engine's balances, with each market's (base,
        quote)."""
        self._rules.pairs.update(pairs)
        self._accounts.clear()
        for account, asset, free, held in balances:
            self._accounts.setdefault(account, {})[asset] = [free, held]

    def apply(self, events: Iterable[Event]) -> None:
        lines: list[Posting] = []
        for event in events:
            self._rules.post(event, lines)
        accounts = self._accounts
        for line in lines:
            record = accounts.setdefault(line.account, {}).setdefault(line.asset, [0, 0])
            record[0 if line.bucket is FREE else 1] += line.amount

    def of(self, account: int) -> list[tuple[int, str, int, int]]:
        """(account, asset, free, held) of the account's balances, by asset: the shape of
        `Engine.balances(account)`."""
        mine = self._accounts.get(account, {})
        return [(account, asset, *mine[asset]) for asset in sorted(mine)]  # type: ignore[misc]
