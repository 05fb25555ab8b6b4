"""Primary subscriptions: a holder buys newly minted tokens from their issuer at the
issuer's price plus fee, paid in one posting with the mint, within the attested reserve."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT, FIRST_TRADING_ACCOUNT
from assetport.domain.commands import SetSubscriptionTerms, Subscribe
from assetport.domain.custody import MAX_ID_CHARS
from assetport.domain.events import Subscribed, SubscriptionTermsSet
from assetport.domain.issuance.terms import subscription_cost, subscription_problem
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.holder_gate import HolderGate
from assetport.engine.issuance.state import IssuanceState
from assetport.engine.issuance.supply import issue_problem, supply_of
from assetport.engine.ledger import Ledger, Posting


def client_ref_problem(state: IssuanceState, account: int, kind: str, asset: str, amount: int,
                       ref: str) -> RejectReason | None:  # fmt: skip
    """A holder's request names itself by its own reference: the same again is a retry."""
    if account < FIRST_TRADING_ACCOUNT:
        return RejectReason.INVALID_ACCOUNT
    if amount <= 0 or not ref or len(ref) > MAX_ID_CHARS:
        return RejectReason.INVALID_AMOUNT
    seen = state.client_refs.get((account, ref))
    if seen is not None:
        if seen == (kind, asset, amount):
            return RejectReason.ALREADY_APPLIED
        return RejectReason.REFERENCE_REUSED
    return None


def set_subscription_terms(state: IssuanceState, ctx: Context, assets: Assets,
                           cmd: SetSubscriptionTerms) -> None:  # fmt: skip
    terms = cmd.terms
    rwa = state.terms.get(terms.asset)
    if rwa is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN)
    if (
        assets.get(terms.quote) is None
        or terms.quote == terms.asset
        or terms.price > MAX_AMOUNT
        or terms.minimum > MAX_AMOUNT
        or subscription_problem(terms) is not None
    ):
        return ctx.reject(RejectReason.INVALID_RWA_TERMS, account=rwa.issuer)
    state.subscriptions[terms.asset] = terms
    state.touched = True
    ctx.events.append(SubscriptionTermsSet(ctx.seq, ctx.time, terms))
    return None


def subscribe(state: IssuanceState, ctx: Context, ledger: Ledger, assets: Assets,
              gate: HolderGate, posting: Posting, cmd: Subscribe) -> None:  # fmt: skip
    rwa = state.terms.get(cmd.asset)
    if rwa is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN, account=cmd.account)
    reason = client_ref_problem(state, cmd.account, "subscribe", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    terms = state.subscriptions.get(cmd.asset)
    if terms is None or not terms.open:
        return ctx.reject(RejectReason.SUBSCRIPTION_CLOSED, account=cmd.account)
    if cmd.amount < terms.minimum:
        return ctx.reject(RejectReason.BELOW_ISSUER_MINIMUM, account=cmd.account)
    supply = supply_of(ledger, cmd.asset)
    reason = issue_problem(state, cmd.asset, cmd.amount, supply) or gate.delivery_problem(
        cmd.account, cmd.asset, cmd.amount
    )
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    asset = assets.get(cmd.asset)
    assert asset is not None  # terms are only set for a listed token
    cost, fee = subscription_cost(cmd.amount, terms, asset.precision)
    if cost + fee > MAX_AMOUNT:
        return ctx.reject(RejectReason.AMOUNT_TOO_LARGE, account=cmd.account)
    if ledger.free(cmd.account, terms.quote) < cost + fee:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, cmd.asset), -cmd.amount, 0)
    posting.add(ledger.balance(cmd.account, cmd.asset), cmd.amount, 0)
    posting.add(ledger.balance(cmd.account, terms.quote), -(cost + fee), 0)
    posting.add(ledger.balance(rwa.issuer, terms.quote), cost + fee, 0)
    ledger.must_move(posting)
    state.client_refs[(cmd.account, cmd.ref)] = ("subscribe", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        Subscribed(ctx.seq, ctx.time, cmd.account, cmd.asset, rwa.issuer, cmd.amount,
                   terms.quote, cost, fee, cmd.ref, supply + cmd.amount)
    )  # fmt: skip
    return None
