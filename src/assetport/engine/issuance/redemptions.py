"""Redemptions (domain/issuance/redemptions.py): the holder's tokens are held on request;
the issuer confirms, delivering whole bars of its latest attestation and paying cash for the
rest, and the tokens are burned, the fee going to its treasury; or it rejects and the
holder, who may also cancel while it waits, gets them back."""

from assetport.domain.accounts import EXTERNAL_ACCOUNT
from assetport.domain.commands import (
    CancelRedemption,
    ConfirmRedemption,
    RejectRedemption,
    RequestRedemption,
)
from assetport.domain.events import RedemptionCompleted, RedemptionEnded, RedemptionRequested
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import cash_value, redemption_fee, text_ok
from assetport.domain.results import RejectReason
from assetport.domain.units import MAX_AMOUNT
from assetport.engine.assets import Assets
from assetport.engine.context import Context
from assetport.engine.issuance.state import IssuanceState, Redemption
from assetport.engine.issuance.subscriptions import client_ref_problem
from assetport.engine.issuance.supply import supply_of, use_reserve
from assetport.engine.ledger import Ledger, Posting

MAX_BARS = 10_000  # bars in one delivery


def request_redemption(state: IssuanceState, ctx: Context, ledger: Ledger,
                       cmd: RequestRedemption) -> None:  # fmt: skip
    rwa = state.terms.get(cmd.asset)
    if rwa is None:
        return ctx.reject(RejectReason.NOT_AN_RWA_TOKEN, account=cmd.account)
    reason = client_ref_problem(state, cmd.account, "redeem", cmd.asset, cmd.amount, cmd.ref)
    if reason is not None:
        return ctx.reject(reason, account=cmd.account)
    terms = rwa.redemption
    if cmd.amount < terms.minimum:
        return ctx.reject(RejectReason.BELOW_ISSUER_MINIMUM, account=cmd.account)
    fee = redemption_fee(cmd.amount, terms)
    # Physically: at least one whole lot after the fee; in cash: only where it is paid.
    if (cmd.physical and (terms.physical_lot == 0 or cmd.amount - fee < terms.physical_lot)) or (
        not cmd.physical and not terms.cash
    ):
        return ctx.reject(RejectReason.INVALID_BAR_ALLOCATION, account=cmd.account)
    if ledger.free(cmd.account, cmd.asset) < cmd.amount:
        return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.account)
    if not ledger.hold(ledger.balance(cmd.account, cmd.asset), cmd.amount):
        raise AssertionError("a redemption's hold was checked before")
    rid = state.next_redemption_id
    state.next_redemption_id += 1
    state.redemptions[rid] = Redemption(rid, cmd.account, cmd.asset, cmd.amount, fee, cmd.physical)
    state.client_refs[(cmd.account, cmd.ref)] = ("redeem", cmd.asset, cmd.amount)
    state.touched = True
    ctx.events.append(
        RedemptionRequested(ctx.seq, ctx.time, rid, cmd.account, cmd.asset, rwa.issuer,
                            cmd.amount, fee, cmd.physical, cmd.ref)
    )  # fmt: skip
    return None


def _pending(state: IssuanceState, redemption_id: int, issuer: int) -> Redemption | None:
    """The pending redemption of one of `issuer`'s tokens (another issuer's is unknown)."""
    r = state.redemptions.get(redemption_id)
    if r is None or state.terms[r.asset].issuer != issuer:
        return None
    return r


def _not_found(state: IssuanceState, redemption_id: int) -> RejectReason:
    """A redemption that is not pending: finished (its id was given) or never was. Only
    pending ones are kept; what became of the others is in the journal and the history."""
    if 0 < redemption_id < state.next_redemption_id and redemption_id not in state.redemptions:
        return RejectReason.REDEMPTION_NOT_PENDING
    return RejectReason.UNKNOWN_REDEMPTION


def _bars(state: IssuanceState, r: Redemption, serials: tuple[str, ...]
          ) -> tuple[tuple[str, int], ...] | None:  # fmt: skip
    """(serial, units) of the bars named, each a whole lot of the latest attestation not
    yet taken, together no more than the redemption's net amount; None if any is not."""
    if (serials and not r.physical) or len(serials) > MAX_BARS or len(set(serials)) < len(serials):
        return None
    lots = state.lots.get(r.asset, {})
    used = state.used.get(r.asset, {})
    bars = []
    for serial in serials:
        units = lots.get(serial)
        if units is None or used.get(serial, 0):
            return None
        bars.append((serial, units))
    if sum(units for _, units in bars) > r.amount - r.fee:
        return None
    return tuple(bars)


def confirm_redemption(state: IssuanceState, ctx: Context, ledger: Ledger, assets: Assets,
                       posting: Posting, cmd: ConfirmRedemption) -> None:  # fmt: skip
    r = _pending(state, cmd.redemption_id, cmd.issuer)
    if r is None:
        return ctx.reject(_not_found(state, cmd.redemption_id), account=cmd.issuer)
    rwa = state.terms[r.asset]
    bars = _bars(state, r, cmd.bars)
    if bars is None:
        return ctx.reject(RejectReason.INVALID_BAR_ALLOCATION, account=cmd.issuer)
    if not text_ok(cmd.agent):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.issuer)
    burned = r.amount - r.fee
    cash_units = burned - sum(units for _, units in bars)
    cash = 0
    if cash_units:
        pay = assets.get(cmd.pay_asset)
        if not rwa.redemption.cash:
            return ctx.reject(RejectReason.INVALID_BAR_ALLOCATION, account=cmd.issuer)
        if pay is None or cmd.pay_asset == r.asset:
            return ctx.reject(RejectReason.UNKNOWN_ASSET, account=cmd.issuer)
        if not 0 < cmd.cash_price <= MAX_AMOUNT:
            return ctx.reject(RejectReason.INVALID_AMOUNT, account=cmd.issuer)
        precision = assets.by_code[r.asset].precision
        cash = cash_value(cash_units, cmd.cash_price, precision)
        if cash > MAX_AMOUNT or ledger.free(rwa.issuer, cmd.pay_asset) < cash:
            return ctx.reject(RejectReason.INSUFFICIENT_BALANCE, account=cmd.issuer)
    posting.add(ledger.balance(r.account, r.asset), 0, -r.amount)
    if r.fee:
        posting.add(ledger.balance(rwa.issuer, r.asset), r.fee, 0)
    posting.add(ledger.balance(EXTERNAL_ACCOUNT, r.asset), burned, 0)
    if cash:
        posting.add(ledger.balance(rwa.issuer, cmd.pay_asset), -cash, 0)
        posting.add(ledger.balance(r.account, cmd.pay_asset), cash, 0)
    ledger.must_move(posting)
    if bars:
        use_reserve(state, assets, r.asset, bars)
    del state.redemptions[r.redemption_id]
    state.touched = True
    pay_asset = cmd.pay_asset if cash_units else ""
    price = cmd.cash_price if cash_units else 0
    ctx.events.append(
        RedemptionCompleted(ctx.seq, ctx.time, r.redemption_id, r.account, r.asset,
                            rwa.issuer, r.amount, r.fee, burned, bars, cash_units, pay_asset,
                            price, cash, supply_of(ledger, r.asset), cmd.agent)
    )  # fmt: skip
    return None


def _end(state: IssuanceState, ctx: Context, ledger: Ledger, r: Redemption,
         status: RedemptionStatus, reason: str, agent: str) -> None:  # fmt: skip
    ledger.release(ledger.balance(r.account, r.asset), r.amount)
    del state.redemptions[r.redemption_id]
    state.touched = True
    ctx.events.append(
        RedemptionEnded(ctx.seq, ctx.time, r.redemption_id, r.account, r.asset, r.amount,
                        status, reason, agent)
    )  # fmt: skip


def reject_redemption(state: IssuanceState, ctx: Context, ledger: Ledger,
                      cmd: RejectRedemption) -> None:  # fmt: skip
    r = _pending(state, cmd.redemption_id, cmd.issuer)
    if r is None:
        return ctx.reject(_not_found(state, cmd.redemption_id), account=cmd.issuer)
    if not text_ok(cmd.reason, required=True) or not text_ok(cmd.agent):
        return ctx.reject(RejectReason.INVALID_CUSTODY_INPUT, account=cmd.issuer)
    _end(state, ctx, ledger, r, RedemptionStatus.REJECTED, cmd.reason, cmd.agent)
    return None


def cancel_redemption(state: IssuanceState, ctx: Context, ledger: Ledger,
                      cmd: CancelRedemption) -> None:  # fmt: skip
    r = state.redemptions.get(cmd.redemption_id)
    if r is None or r.account != cmd.account:
        return ctx.reject(_not_found(state, cmd.redemption_id), account=cmd.account)
    _end(state, ctx, ledger, r, RedemptionStatus.CANCELED, "canceled by the holder", "")
    return None
