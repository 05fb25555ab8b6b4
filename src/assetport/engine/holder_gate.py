"""The holder rules of permissioned tokens (domain/issuance/holders.py) as every product
asks them: may this account receive this much of the asset, may the asset change hands now.
Shared like the ledger and the asset list: the eligibility product sets the rules and the
accounts' identities; spot, funds, custody and issuance ask before money moves. A token
without rules is never asked about, so ordinary markets pay one dictionary lookup."""

from assetport.domain.accounts import CUSTODY_WALLETS, FIRST_TRADING_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.identities import UNVERIFIED, AccountIdentity
from assetport.domain.issuance.holders import HolderRules, is_eligible
from assetport.domain.results import RejectReason
from assetport.engine.ledger import Ledger


def counts_as_holder(account: int) -> bool:
    """The issuer's treasury, custody wallets and the ledger's own accounts hold a token
    without being its holders."""
    return (
        account >= FIRST_TRADING_ACCOUNT
        and account not in ISSUER_TREASURIES
        and account not in CUSTODY_WALLETS
    )


class HolderGate:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.rules: dict[str, HolderRules] = {}
        self.identities: dict[int, AccountIdentity] = {}

    def delivery_problem(self, account: int, asset: str, amount: int) -> RejectReason | None:
        """Why `amount` more of `asset` may not be delivered to `account`, or None."""
        rules = self.rules.get(asset)
        if rules is None or not counts_as_holder(account):
            return None
        if not is_eligible(rules, self.identities.get(account, UNVERIFIED)):
            return RejectReason.NOT_ELIGIBLE
        holding = self._holding(account, asset)
        if rules.max_per_holder and holding + amount > rules.max_per_holder:
            return RejectReason.HOLDER_LIMIT
        if rules.max_holders and holding == 0 and self.holders(asset) >= rules.max_holders:
            return RejectReason.HOLDER_LIMIT
        return None

    def same_owner(self, a: int, b: int) -> bool:
        """Whether compliance verified the two accounts as the same person's."""
        person = self.identities.get(a, UNVERIFIED).person
        return bool(person) and person == self.identities.get(b, UNVERIFIED).person

    def movement_problem(self, asset: str, now: int) -> RejectReason | None:
        """Why `asset` may not be sold or transferred by its holders now (its lock-up)."""
        rules = self.rules.get(asset)
        if rules is not None and now < rules.lockup_until_us:
            return RejectReason.LOCKED_UP
        return None

    def withdrawal_problem(self, asset: str, now: int) -> RejectReason | None:
        rules = self.rules.get(asset)
        if rules is None:
            return None
        if not rules.withdrawable:
            return RejectReason.NOT_ELIGIBLE
        return self.movement_problem(asset, now)

    def holders(self, asset: str) -> int:
        """How many accounts hold some of `asset`: a walk over the ledger, asked only for a
        token with a holder limit and a new holder."""
        count = 0
        for account, balances in self.ledger.accounts.items():
            record = balances.get(asset)
            if record is not None and counts_as_holder(account) and record.free + record.held:
                count += 1
        return count

    def _holding(self, account: int, asset: str) -> int:
        record = self.ledger.accounts.get(account, {}).get(asset)
        return 0 if record is None else int(record.free) + int(record.held)
