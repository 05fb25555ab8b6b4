"""The ledger: free and held balances per account and asset, in integer units.

Each account has, per asset, a free and a held bucket. Every change is a balanced posting:
an amount leaves one bucket and enters another (of the same or another account), so the sum
over all accounts of each asset stays zero. The external account is the other side of
deposits and withdrawals, so its balance is minus what users hold; the fee account collects
fees. Only the external account may go below zero.

The matching loop settles trades by writing to `Balance` objects directly (one call per trade,
see `settle_trade`), because a call per posting would cost a third of the engine's time.
"""

from collections.abc import Iterator

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FEE_ACCOUNT


class Balance:
    __slots__ = ("free", "held")

    def __init__(self, free: int = 0, held: int = 0) -> None:
        self.free = free
        self.held = held


class Ledger:
    def __init__(self) -> None:
        self.accounts: dict[int, dict[str, Balance]] = {}

    def balance(self, account: int, asset: str) -> Balance:
        """The balance record, created empty on first use."""
        balances = self.accounts.get(account)
        if balances is None:
            balances = self.accounts[account] = {}
        record = balances.get(asset)
        if record is None:
            record = balances[asset] = Balance()
        return record

    def free(self, account: int, asset: str) -> int:
        balances = self.accounts.get(account)
        if balances is None:
            return 0
        record = balances.get(asset)
        return 0 if record is None else record.free

    def deposit(self, account: int, asset: str, amount: int) -> None:
        """External -> account free."""
        self.balance(EXTERNAL_ACCOUNT, asset).free -= amount
        self.balance(account, asset).free += amount

    def withdraw(self, account: int, asset: str, amount: int) -> bool:
        """Account free -> external; False (and no change, not even an empty record) when
        free is short."""
        if self.free(account, asset) < amount:
            return False
        self.balance(account, asset).free -= amount
        self.balance(EXTERNAL_ACCOUNT, asset).free += amount
        return True

    def hold(self, account: int, asset: str, amount: int) -> bool:
        """Free -> held of one account; False (and no change) when free is short."""
        balances = self.accounts.get(account)
        if balances is None:
            return amount == 0
        record = balances.get(asset)
        if record is None:
            return amount == 0
        if record.free < amount:
            return False
        record.free -= amount
        record.held += amount
        return True

    def release(self, account: int, asset: str, amount: int) -> None:
        """Held -> free of one account."""
        record = self.accounts[account][asset]
        record.held -= amount
        record.free += amount

    def totals(self) -> dict[str, int]:
        """Sum of free + held over every account, per asset: zero for a sound ledger."""
        sums: dict[str, int] = {}
        for balances in self.accounts.values():
            for asset, record in balances.items():
                sums[asset] = sums.get(asset, 0) + record.free + record.held
        return sums

    def items(self) -> Iterator[tuple[int, str, Balance]]:
        """Every balance record, in account then asset order."""
        for account in sorted(self.accounts):
            balances = self.accounts[account]
            for asset in sorted(balances):
                yield account, asset, balances[asset]


def fee_balance(ledger: Ledger, asset: str) -> Balance:
    return ledger.balance(FEE_ACCOUNT, asset)
