"""The ledger: free and held balances per account and asset, in integer units, shared by
every product.

Each account has, per asset, one balance record with a free and a held bucket. Held is what
the account has set aside and cannot spend: for a resting order, and later for an NFT bid or
offer, a pending withdrawal or a redemption. The ledger keeps one held bucket per record;
each product knows what its holds are for and answers them by purpose (`Product.holds`,
`domain/holds.py`), and the products' holds add up to the held buckets.

Every change is one balanced posting through `Ledger.move`: amounts leave some buckets and
enter others, so that each asset still sums to zero over all accounts. The external account
(`domain/accounts.py`) is the other side of deposits and withdrawals, so its free balance is
minus what the platform holds for others; the fee account collects fees. Only the external
account's free balance may go below zero.

Speed: trades settle on the engine's hottest path. A posting is a reusable object whose
legs are preallocated (`Posting.add` fills the next one; `move` empties it), the balance
records are resolved once by the caller and kept at hand (an order keeps its account's
records in its market), and `move` is two short loops over a handful of legs.
"""

from collections.abc import Iterator
from sys import intern
from typing import Final

from mypy_extensions import i64

from assetport.domain.accounts import EXTERNAL_ACCOUNT


class Balance:
    """One account's balance of one asset: `free` to spend, `held` set aside.

    The amounts are 64-bit integers (`i64`: machine integers once compiled), as the
    journal, the snapshots and SQL hold them: no asset's supply passes `MAX_AMOUNT`
    (2^62 - 1, `domain/units.py`), so neither does any balance, hold or leg.
    """

    __slots__ = ("account", "asset", "free", "held")

    def __init__(self, account: int, asset: str) -> None:
        self.account = account
        # Interned: `Ledger.move` tells the legs of one asset from the next by identity.
        self.asset = intern(asset)
        self.free: i64 = 0
        self.held: i64 = 0


class UnbalancedPosting(Exception):
    """A posting whose legs do not sum to zero per asset: a bug, never a user's error."""


class Overdrawn(Exception):
    """A posting that cannot be short was: what was held did not cover it (a bug)."""


class Leg:
    """What one posting does to one balance record: add `free` and `held` (signed)."""

    __slots__ = ("free", "held", "next", "record")

    def __init__(self, record: Balance) -> None:
        self.record = record
        self.free: i64 = 0
        self.held: i64 = 0
        # The next leg of the chain; the last leg's is itself (never None: no checks).
        self.next: Leg = self


_NOWHERE: Final = Balance(-1, "")


class Posting:
    """The legs of one balanced move of money, filled by a product and handed to
    `Ledger.move`, which applies it and empties it for the next use.

    The legs of one asset come together, and they sum to zero: e.g. a trade is the quote
    legs (the buyer's hold pays, the seller and the fee account receive) then the base legs
    (the seller's hold gives, the buyer and the fee account receive). A sale that pays a
    seller, royalty receivers and a platform fee is one run of quote legs, as long as needed.

    The legs are a chain made once and reused: filling one is three stores, and the chain
    grows by a leg only when a posting needs more than any before it.
    """

    __slots__ = ("end", "first")

    def __init__(self) -> None:
        self.first = Leg(_NOWHERE)
        # The next leg to fill: the legs from `first` up to it are the posting's.
        self.end = self.first

    def add(self, record: Balance, free: i64, held: i64) -> None:
        """A leg: `free` and `held` (signed) added to the record."""
        leg = self.end
        leg.record = record
        leg.free = free
        leg.held = held
        after = leg.next
        if after is leg:
            after = leg.next = Leg(_NOWHERE)
        self.end = after


class Ledger:
    def __init__(self) -> None:
        self.accounts: dict[int, dict[str, Balance]] = {}

    def balance(self, account: int, asset: str) -> Balance:
        """The balance record, created empty on first use (an empty record is state: the
        snapshot lists it, so look with `free` first where nothing may change)."""
        balances = self.accounts.get(account)
        if balances is None:
            balances = self.accounts[account] = {}
        record = balances.get(asset)
        if record is None:
            record = balances[asset] = Balance(account, asset)
        return record

    def free(self, account: int, asset: str) -> int:
        balances = self.accounts.get(account)
        if balances is None:
            return 0
        record = balances.get(asset)
        return 0 if record is None else record.free

    def move(self, posting: Posting) -> bool:
        """Apply every leg of the posting, or none: False (and no change) when a leg would
        take a bucket below zero (only the external account's free may go there; a record
        debited by two legs must cover each as it comes). Empties the posting.

        Raises `UnbalancedPosting` (changing nothing) unless each run of legs of one asset
        sums to zero, short or not.
        """
        first = posting.first
        end = posting.end
        posting.end = first
        asset = ""
        run: i64 = 0
        short = False
        leg = first
        while leg is not end:
            record = leg.record
            if record.asset is not asset:
                if run:
                    break
                asset = record.asset
            free = leg.free
            held = leg.held
            run += free + held
            free += record.free
            held += record.held
            record.free = free
            record.held = held
            if held < 0 or (free < 0 and record.account != EXTERNAL_ACCOUNT):
                short = True
            leg = leg.next
        if run or short:
            _undo(first, leg)
            if run:
                raise UnbalancedPosting(f"{asset} legs sum to {run}, not 0")
            return False
        return True

    def hold(self, record: Balance, amount: i64) -> bool:
        """Set `amount` aside for what the caller holds it for: free -> held of one record,
        a posting of one leg, balanced by itself. False (and no change) when free is short.

        A posting of its own entry point: every order makes one, and skipping the general
        legs here keeps the spot engine as fast as it was."""
        free = record.free - amount
        if free < 0:
            return False
        record.free = free
        record.held += amount
        return True

    def release(self, record: Balance, amount: i64) -> None:
        """Give back `amount` held: held -> free of one record (the other one-leg posting).
        Raises `Overdrawn` (changing nothing) when less is held: a bug."""
        held = record.held - amount
        if held < 0:
            raise Overdrawn(f"release of {amount} where {record.held} is held")
        record.held = held
        record.free += amount

    def must_move(self, posting: Posting) -> None:
        """`move` a posting that cannot be short (what was held pays out or goes back)."""
        if not self.move(posting):
            raise Overdrawn("a posting paid from held funds overdraws a balance")

    def totals(self) -> dict[str, int]:
        """Sum of free + held over every account, per asset: zero for a sound ledger."""
        sums: dict[str, int] = {}
        for balances in self.accounts.values():
            for asset, record in balances.items():
                sums[asset] = sums.get(asset, 0) + int(record.free) + int(record.held)
        return sums

    def items(self) -> Iterator[tuple[int, str, Balance]]:
        """Every balance record, in account then asset order."""
        for account in sorted(self.accounts):
            balances = self.accounts[account]
            for asset in sorted(balances):
                yield account, asset, balances[asset]

    # ------------------------------------------------------------------ the snapshot

    def section(self) -> list[tuple[int, str, int, int]]:
        """(account, asset, free, held) of every record, in account then asset order."""
        return [
            (account, asset, record.free, record.held) for account, asset, record in self.items()
        ]

    def restore(self, balances: list[tuple[int, str, int, int]]) -> None:
        for account, asset, free, held in balances:
            record = self.balance(account, asset)
            record.free = free
            record.held = held


def _undo(first: Leg, end: Leg) -> None:
    """Take back the legs from `first` up to `end` (not included)."""
    leg = first
    while leg is not end:
        record = leg.record
        record.free -= leg.free
        record.held -= leg.held
        leg = leg.next
