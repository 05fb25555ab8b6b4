"""A distribution: the issuer's treasury pays the holders of its token pro rata, now, in
one posting (domain/issuance/distributions.py has the rule and its rounding)."""

from assetport.domain.accounts import CUSTODY_WALLETS, FIRST_TRADING_ACCOUNT, ISSUER_TREASURIES
from assetport.domain.commands import Distribute
from assetport.domain.events import DistributionPaid
from assetport.domain.issuance.distributions import pro_rata
from assetport.domain.results import RejectReason
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.state import IssuanceState
from assetport.engine.issuance.supply import reference_problem
from assetport.engine.ledger import Ledger, Posting


def holders(ledger: Ledger, asset: str) -> list[tuple[int, int]]:
    """(account, free + held) of everyone holding `asset` but the platform's own ledger
    accounts, the issuers' treasuries and the custody wallets, in account order."""
    found: list[tuple[int, int]] = []
    for account, balances in ledger.accounts.items():
        if (
            account < FIRST_TRADING_ACCOUNT
            or account in ISSUER_TREASURIES
            or account in CUSTODY_WALLETS
        ):
            continue
        record = balances.get(asset)
        if record is not None:
            held = int(record.free) + int(record.held)
            if held > 0:
                found.append((account, held))
    found.sort()
    return found


def distribute(state: IssuanceState, ctx: Context, ledger: Ledger, assets: Assets,
               posting: Posting, cmd: Distribute) -> None:  # fmt: skip
    terms = state.terms.get(cmd.asset)
    if terms is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN)
    if assets.get(cmd.pay_asset) is None:
        return ctx.reject(RejectReason.UNKNOWN_ASSET, account=terms.issuer)
    reason = reference_problem(state, "distribute", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=terms.issuer)
    if ledger.free(terms.issuer, cmd.pay_asset) < cmd.amount:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=terms.issuer)
    register = holders(ledger, cmd.asset)
    if not register:
        return ctx.reject(RejectReason.NO_HOLDERS, account=terms.issuer)
    shares = pro_rata(cmd.amount, register)
    paid = cmd.amount - shares.remainder
    if paid:
        posting.add(ledger.balance(terms.issuer, cmd.pay_asset), -paid, 0)
        for account, units in shares.payouts:
            posting.add(ledger.balance(account, cmd.pay_asset), units, 0)
        ledger.must_move(posting)
    state.refs[cmd.ref] = ("distribute", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        DistributionPaid(ctx.seq, ctx.time, cmd.asset, cmd.pay_asset, terms.issuer,
                         cmd.amount, cmd.ref, tuple(shares.payouts), shares.remainder)
    )  # fmt: skip
    return None
