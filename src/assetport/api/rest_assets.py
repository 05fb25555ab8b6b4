"""Real-world-asset tokens, in public and for their holders (docs/issuance.md, issue #17).

    GET    /api/v1/assets                          NONE       every token: terms, supply, reserve
    GET    /api/v1/assets/{asset}                  NONE       one token, its latest attestation
    GET    /api/v1/assets/{asset}/attestations     NONE       attestations; `seq`: one, its lots
    GET    /api/v1/assets/{asset}/supply           NONE       supply and reserve, for a chart
    GET    /api/v1/assets/{asset}/distributions    NONE       distributions to holders
    GET    /api/v1/assets/certificates/{id}        NONE       a retirement certificate
    POST   /api/v1/assets/subscribe                TRADE      buy new tokens from the issuer
    POST   /api/v1/assets/redeem                   TRADE      ask the issuer to redeem tokens
    DELETE /api/v1/assets/redeem                   TRADE      cancel a pending redemption
    POST   /api/v1/assets/retire                   TRADE      retire carbon credits
    GET    /api/v1/assets/subscriptions            USER_DATA  mine
    GET    /api/v1/assets/redemptions              USER_DATA  mine
    GET    /api/v1/assets/distributions/mine       USER_DATA  what I was paid
    GET    /api/v1/assets/certificates             USER_DATA  mine
    GET    /api/v1/assets/eligibility              USER_DATA  may I hold `asset`, and if not why
    GET    /api/v1/assets/actions                  USER_DATA  what issuers did to my holdings

Binance has no such endpoints: these live under Assetport's `/api/v1`, in its style
(signed like `/api/v3/order`, Binance's errors, amounts as decimal strings in the asset's
precision, times in milliseconds). What stands now (terms, supply, reserve) is read from the
gateway's issuance view; what happened (attestations, redemptions, certificates...) from the
SQL history, once it has written what the engine applied. A holder's request names itself by
`clientRef`: the same request again answers what the first did and changes nothing.

An attestation's amounts are shown twice: as decimal strings, and as the integer units the
attestor signed (`totalUnits`, a lot's `units` and `gross`, `asOfUs`), so that anyone can
check its signature (`domain/issuance/attestations.py`).

A permissioned token (ERC-3643 style, `domain/issuance/holders.py`) shows its holder rules
to everyone; a holder asks whether it may hold one (its identity as compliance verified it,
each rule it falls foul of, what of it is frozen) and sees what the issuer did to its
holdings (allocations, forced transfers, recoveries, freezes and releases, with their
reasons).
"""

from typing import Any, Final

from assetport.api import errors
from assetport.api.errors import RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.api.render import ms
from assetport.domain.commands import (
    CancelRedemption,
    Command,
    RequestRedemption,
    RetireCredits,
    Subscribe,
)
from assetport.domain.events import (
    CreditsRetired,
    Event,
    RedemptionEnded,
    RedemptionRequested,
    Subscribed,
    refusal,
)
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import MAX_TEXT, RwaTerms, SubscriptionTerms
from assetport.domain.results import RejectReason
from assetport.store.history import (
    AttestationRecord,
    CertificateRecord,
    History,
    IssuerActionRecord,
    LotRecord,
    RedemptionRecord,
    SubscriptionRecord,
)
from assetport.views.issuance import STOPS_HOLDING, HolderProblem, Issuance, holder_problems
from assetport.views.markets import Markets

PREFIX: Final = "/api/v1/assets"
# The lots shown with an asset's latest attestation; the rest page by `offset`.
DETAIL_LOTS: Final = 100

_SIGNED: Final = (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))
_LIMIT: Final = ParamDoc("limit", "integer", description="1 to 1000, 500 by default")
_ASSET_PATH: Final = ParamDoc("asset", required=True, description="the token's code")


# -- rendering ------------------------------------------------------------------------------


def _subscription_terms(terms: SubscriptionTerms | None, markets: Markets) -> Any:
    if terms is None:
        return None
    return {
        "quote": terms.quote,
        "price": markets.amount(terms.quote, terms.price),
        "feeBps": terms.fee_bps,
        "minimum": markets.amount(terms.asset, terms.minimum),
        "open": terms.open,
    }


def _holder_rules(rules: HolderRules | None, markets: Markets) -> Any:
    """Who may hold a permissioned token; a limit the rules do not set is null."""
    if rules is None:
        return None
    cap = rules.max_per_holder
    return {
        "minKycLevel": rules.min_kyc_level,
        "countriesAllowed": list(rules.countries_allowed),
        "countriesDenied": list(rules.countries_denied),
        "maxHolders": rules.max_holders or None,
        "maxPerHolder": markets.amount(rules.asset, cap) if cap else None,
        "lockupUntil": ms(rules.lockup_until_us) if rules.lockup_until_us else None,
        "withdrawable": rules.withdrawable,
    }


def _token(asset: str, issuance: Issuance, markets: Markets) -> dict[str, Any]:
    """What every answer says of a token: its terms, supply, reserve and headroom, and
    who may hold it."""
    terms: RwaTerms | None = issuance.terms.get(asset)
    listed = markets.assets[asset]
    reserve = issuance.reserves.get(asset)
    rules = issuance.holder_rules.get(asset)
    return {
        "asset": asset,
        "issuer": listed.issuer,
        "kind": None if terms is None else terms.kind.value,
        "unit": None if terms is None else terms.unit,
        "custodian": None if terms is None else terms.custodian,
        "vault": None if terms is None else terms.vault,
        "supply": markets.amount(asset, issuance.supply(asset)),
        "reserve": markets.amount(asset, issuance.backing(asset)),
        "headroom": markets.amount(asset, issuance.headroom(asset)),
        "attestedAt": None if reserve is None else ms(reserve.as_of_us),
        "subscription": _subscription_terms(issuance.subscriptions.get(asset), markets),
        "permissioned": rules is not None,
        "holderRules": _holder_rules(rules, markets),
    }


def _lot(asset: str, lot: LotRecord, markets: Markets) -> dict[str, Any]:
    return {
        "serial": lot.serial,
        "description": lot.description,
        "vault": lot.vault,
        "amount": markets.amount(asset, lot.units),
        "units": lot.units,
        "gross": lot.gross,
        "fineness": lot.fineness,
    }


def _attestation(record: AttestationRecord, markets: Markets) -> dict[str, Any]:
    asset = record.asset
    return {
        "seq": record.seq,
        "time": ms(record.time_us),
        "asset": asset,
        "attestor": record.attestor,
        "asOf": ms(record.as_of_us),
        "asOfUs": record.as_of_us,
        "reserve": markets.amount(asset, record.total_units),
        "totalUnits": record.total_units,
        "supply": markets.amount(asset, record.supply),
        "lotCount": record.lots,
        "signature": record.signature,
    }


def _pairs(asset: str, pairs: list[tuple[str, int]], markets: Markets) -> list[dict[str, Any]]:
    return [
        {"serial": serial, "amount": markets.amount(asset, units), "units": units}
        for serial, units in pairs
    ]


def _subscription(record: SubscriptionRecord, markets: Markets) -> dict[str, Any]:
    return {
        "subscriptionId": record.seq,
        "time": ms(record.time_us),
        "asset": record.asset,
        "amount": markets.amount(record.asset, record.amount),
        "quote": record.quote,
        "cost": markets.amount(record.quote, record.cost),
        "fee": markets.amount(record.quote, record.fee),
        "paid": markets.amount(record.quote, record.cost + record.fee),
        "clientRef": record.ref,
    }


def _redemption(record: RedemptionRecord, markets: Markets) -> dict[str, Any]:
    asset = record.asset
    paid = record.pay_asset
    return {
        "redemptionId": record.redemption_id,
        "asset": asset,
        "amount": markets.amount(asset, record.amount),
        "fee": markets.amount(asset, record.fee),
        "physical": record.physical,
        "status": record.status.value.upper(),
        "requestTime": ms(record.requested_us),
        "updateTime": ms(record.updated_us),
        "burned": markets.amount(asset, record.burned),
        "bars": _pairs(asset, record.bars, markets),
        "cashAmount": markets.amount(asset, record.cash_units),
        "payAsset": paid or None,
        "cashPrice": markets.amount(paid, record.cash_price) if paid else None,
        "cash": markets.amount(paid, record.cash) if paid else None,
        "reason": record.reason,
        "clientRef": record.ref,
        "agent": record.agent or None,  # the issuer's agent who confirmed or rejected it
    }


def _certificate(record: CertificateRecord, markets: Markets, mine: bool) -> dict[str, Any]:
    """A retirement certificate as anyone may look it up; the holder's own list adds the
    reference it gave."""
    asset = record.asset
    shown = {
        "certificateId": record.certificate_id,
        "time": ms(record.time_us),
        "asset": asset,
        "amount": markets.amount(asset, record.amount),
        "beneficiary": record.beneficiary,
        "purpose": record.purpose,
        "serials": _pairs(asset, record.serials, markets),
    }
    return {**shown, "clientRef": record.ref} if mine else shown


def _problem_message(
    problem: HolderProblem, rules: HolderRules, identity: AccountIdentity, markets: Markets
) -> str:
    """A holder rule the account falls foul of, in words (the page has its own, by code)."""
    match problem:
        case HolderProblem.KYC_LEVEL:
            return (
                f"The token asks for KYC level {rules.min_kyc_level}; this account is verified "
                f"to level {identity.kyc_level}."
            )
        case HolderProblem.COUNTRY:
            if not identity.country:
                return "The token admits holders by country; this account's is not verified."
            return f"The token does not admit holders residing in {identity.country}."
        case HolderProblem.MAX_HOLDERS:
            return f"The token has all the holders it may have ({rules.max_holders})."
        case HolderProblem.MAX_PER_HOLDER:
            cap = markets.amount(rules.asset, rules.max_per_holder)
            return f"This account holds the most one holder may ({cap})."
        case HolderProblem.LOCKED_UP:
            return "In its lock-up the token is not bought, sold or withdrawn."


def _action(record: IssuerActionRecord, markets: Markets) -> dict[str, Any]:
    asset = record.asset
    return {
        "actionId": record.seq,
        "time": ms(record.time_us),
        "asset": asset,
        "issuer": record.issuer,
        "type": record.kind.upper(),
        "direction": record.direction.upper() or None,
        "amount": markets.amount(asset, record.amount),
        "frozen": None if record.frozen is None else markets.amount(asset, record.frozen),
        "reason": record.reason,
        "ref": record.ref or None,
        "agent": record.agent or None,  # the issuer's agent who did it (null: the platform)
    }


# -- parameters -----------------------------------------------------------------------------


def _token_code(call: Call) -> str:
    """The `asset` asked about: a listed real-world-asset token, else 404."""
    asset = call.params.string("asset")
    if asset not in call.gateway.issuance.supplies:
        raise errors.UNKNOWN_RWA_TOKEN.error()
    return asset


def _terms_of(call: Call) -> str:
    """The `asset` of a holder's request: a token with terms (what the engine takes)."""
    asset = call.params.string("asset")
    if asset not in call.gateway.issuance.terms:
        raise reject_error(RejectReason.NOT_AN_RWA_TOKEN, RejectContext.ISSUANCE)
    return asset


def _amount(call: Call, asset: str) -> int:
    units = call.params.units("amount", call.gateway.markets.precision[asset])
    if units <= 0:
        raise errors.invalid_parameter("amount")
    return units


def _client_ref(call: Call) -> str:
    return call.params.client_order_id("clientRef") or call.gateway.new_client_order_id()


def _text(call: Call, name: str, required: bool) -> str:
    """A free text (a beneficiary's name, a purpose): printable, at most MAX_TEXT."""
    value = call.params.string(name) if required else call.params.optional_string(name) or ""
    if len(value) > MAX_TEXT or not value.isprintable():
        raise errors.invalid_parameter(name)
    return value


def _boolean(call: Call, name: str) -> bool:
    value = call.params.optional_string(name)
    if value is None or value == "false":
        return False
    if value == "true":
        return True
    raise errors.invalid_parameter(name)


def _optional_asset(call: Call) -> str | None:
    asset = call.params.optional_string("asset")
    if asset is not None and asset not in call.gateway.issuance.supplies:
        raise errors.UNKNOWN_RWA_TOKEN.error()
    return asset


def _positive(call: Call, name: str) -> int | None:
    value = call.params.optional_integer(name)
    if value is not None and value <= 0:
        raise errors.invalid_parameter(name)
    return value


async def _execute(call: Call, command: Command) -> list[Event] | None:
    """The command's events; None when it repeats one already applied (the same
    `clientRef`): the caller answers what the first one did."""
    outcome = await call.gateway.execute(command)
    refused = refusal(outcome.events)
    if refused is None:
        return outcome.events
    if refused.reason is RejectReason.ALREADY_APPLIED:
        return None
    raise reject_error(refused.reason, RejectContext.ISSUANCE)


def _first(events: list[Event], kind: type[Any]) -> Any:
    found = next((event for event in events if isinstance(event, kind)), None)
    if found is None:
        raise errors.UNKNOWN.error()  # the engine answers with one or a refusal
    return found


# -- public ---------------------------------------------------------------------------------


async def tokens(call: Call) -> Any:
    """GET /api/v1/assets: every real-world-asset token listed."""
    call.params.ensure_all_read()
    gateway = call.gateway
    return [_token(asset, gateway.issuance, gateway.markets) for asset in gateway.issuance.tokens()]


async def token(call: Call) -> Any:
    """GET /api/v1/assets/{asset}: a token's terms, documents, redemption terms, supply,
    reserve and headroom, and its latest attestation with its first lots."""
    asset = _token_code(call)
    call.params.ensure_all_read()
    gateway = call.gateway
    markets, issuance = gateway.markets, gateway.issuance
    shown = _token(asset, issuance, markets)
    terms = issuance.terms.get(asset)
    reserve = issuance.reserves.get(asset)
    shown["documents"] = (
        [] if terms is None else [{"name": d.name, "sha256": d.sha256} for d in terms.documents]
    )
    shown["redemption"] = None if terms is None else {
        "minimum": markets.amount(asset, terms.redemption.minimum),
        "feeBps": terms.redemption.fee_bps,
        "physicalLot": markets.amount(asset, terms.redemption.physical_lot),
        "cash": terms.redemption.cash,
    }  # fmt: skip
    shown["reserveDetail"] = None if reserve is None else {
        "attested": markets.amount(asset, reserve.units),
        "used": markets.amount(asset, reserve.used),
        "attestor": reserve.attestor,
        "asOf": ms(reserve.as_of_us),
        "attestedSeq": reserve.attested_seq,
    }  # fmt: skip
    shown["latestAttestation"] = None
    if reserve is not None and gateway.history is not None:
        seq = reserve.attested_seq

        def latest(history: History) -> tuple[AttestationRecord | None, list[LotRecord]]:
            found = history.issuance.attestation(asset, seq)
            return found, history.issuance.lots(seq, 0, DETAIL_LOTS) if found else []

        record, lots = await gateway.from_history(latest)
        if record is not None:
            shown["latestAttestation"] = {
                **_attestation(record, markets),
                "lots": [_lot(asset, lot, markets) for lot in lots],
            }
    return shown


async def attestations(call: Call) -> Any:
    """GET /api/v1/assets/{asset}/attestations: newest first, without their lots; with
    `seq`, that one with its lots (from `offset`, at most `limit`)."""
    asset = _token_code(call)
    seq = _positive(call, "seq")
    offset = call.params.optional_integer("offset")
    limit = _positive(call, "limit")
    if seq is None and offset is not None:
        raise errors.must_be_sent_together("seq", "offset")
    call.params.ensure_all_read()
    markets = call.gateway.markets
    if seq is None:
        records = await call.gateway.from_history(
            lambda history: history.issuance.attestations(asset, limit)
        )
        return [_attestation(record, markets) for record in records]
    wanted = seq

    def one(history: History) -> tuple[AttestationRecord | None, list[LotRecord]]:
        found = history.issuance.attestation(asset, wanted)
        return found, history.issuance.lots(wanted, offset or 0, limit) if found else []

    record, lots = await call.gateway.from_history(one)
    if record is None:
        raise errors.UNKNOWN_ATTESTATION.error()
    return {**_attestation(record, markets), "lots": [_lot(asset, lot, markets) for lot in lots]}


async def supply(call: Call) -> Any:
    """GET /api/v1/assets/{asset}/supply: the newest points of the supply and the reserve
    (each attestation and each change of the supply), oldest first, for a chart."""
    asset = _token_code(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    points = await call.gateway.from_history(
        lambda history: history.issuance.supply_history(asset, limit)
    )
    markets = call.gateway.markets
    return [
        {
            "seq": point.seq,
            "time": ms(point.time_us),
            "kind": point.kind,
            "amount": markets.amount(asset, point.amount),
            "supply": markets.amount(asset, point.supply),
            "reserve": markets.amount(asset, point.reserve),
        }
        for point in points
    ]


async def distributions(call: Call) -> Any:
    """GET /api/v1/assets/{asset}/distributions: what the issuer paid its holders, newest
    first."""
    asset = _token_code(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    records = await call.gateway.from_history(
        lambda history: history.issuance.distributions(asset, limit)
    )
    markets = call.gateway.markets
    return [
        {
            "distributionId": record.seq,
            "time": ms(record.time_us),
            "asset": asset,
            "payAsset": record.pay_asset,
            "amount": markets.amount(record.pay_asset, record.amount),
            "paid": markets.amount(record.pay_asset, record.amount - record.remainder),
            "remainder": markets.amount(record.pay_asset, record.remainder),
            "holders": record.holders,
        }
        for record in records
    ]


async def certificate(call: Call) -> Any:
    """GET /api/v1/assets/certificates/{id}: a retirement certificate, for anyone."""
    certificate_id = call.params.integer("id")
    call.params.ensure_all_read()
    record = await call.gateway.from_history(
        lambda history: history.issuance.certificate(certificate_id)
    )
    if record is None:
        raise errors.UNKNOWN_CERTIFICATE.error()
    return _certificate(record, call.gateway.markets, mine=False)


# -- the holder's own -----------------------------------------------------------------------


async def subscribe(call: Call) -> Any:
    """POST /api/v1/assets/subscribe: `amount` new tokens at the issuer's price plus fee,
    paid from the account in the subscription's quote asset, in one posting."""
    asset = _terms_of(call)
    amount = _amount(call, asset)
    ref = _client_ref(call)
    call.params.ensure_all_read()
    account = call.account
    events = await _execute(call, Subscribe(account, asset, amount, ref))
    markets = call.gateway.markets
    if events is not None:
        done: Subscribed = _first(events, Subscribed)
        return _subscription(
            SubscriptionRecord(done.seq, done.time, account, asset, done.amount, done.quote,
                               done.cost, done.fee, ref),
            markets,
        )  # fmt: skip
    found = await call.gateway.from_history(
        lambda history: history.issuance.subscriptions(account, asset, 1, ref)
    )
    return _subscription(found[0], markets)


async def redeem(call: Call) -> Any:
    """POST /api/v1/assets/redeem: ask the issuer to redeem `amount` (held until it
    confirms or rejects); `physical=true` for whole bars where the terms deliver them."""
    asset = _terms_of(call)
    amount = _amount(call, asset)
    physical = _boolean(call, "physical")
    ref = _client_ref(call)
    call.params.ensure_all_read()
    account = call.account
    events = await _execute(call, RequestRedemption(account, asset, amount, physical, ref))
    if events is not None:
        done: RedemptionRequested = _first(events, RedemptionRequested)
        record = RedemptionRecord(
            done.redemption_id, account, asset, done.issuer, done.amount, done.fee,
            done.physical, ref, RedemptionStatus.PENDING, done.time, done.time, 0, [], 0, "",
            0, 0, "",
        )  # fmt: skip
        return _redemption(record, call.gateway.markets)
    found = await call.gateway.from_history(
        lambda history: history.issuance.redemptions(account, asset, None, 1, ref)
    )
    return _redemption(found[0], call.gateway.markets)


async def cancel_redemption(call: Call) -> Any:
    """DELETE /api/v1/assets/redeem: cancel one of the account's pending redemptions; its
    tokens are released."""
    redemption_id = call.params.integer("redemptionId")
    call.params.ensure_all_read()
    events = await _execute(call, CancelRedemption(call.account, redemption_id))
    if events is None:  # the engine never answers a cancel so; kept total
        raise errors.UNKNOWN.error()
    ended: RedemptionEnded = _first(events, RedemptionEnded)
    markets = call.gateway.markets
    return {
        "redemptionId": ended.redemption_id,
        "asset": ended.asset,
        "amount": markets.amount(ended.asset, ended.amount),
        "status": ended.status.value.upper(),
        "updateTime": ms(ended.time),
    }


async def retire(call: Call) -> Any:
    """POST /api/v1/assets/retire: burn carbon credits for `beneficiary`; the answer is the
    retirement certificate, which anyone can look up by its id."""
    asset = _terms_of(call)
    amount = _amount(call, asset)
    beneficiary = _text(call, "beneficiary", required=True)
    purpose = _text(call, "purpose", required=False)
    ref = _client_ref(call)
    call.params.ensure_all_read()
    account = call.account
    command = RetireCredits(account, asset, amount, beneficiary, purpose, ref)
    events = await _execute(call, command)
    markets = call.gateway.markets
    if events is not None:
        done: CreditsRetired = _first(events, CreditsRetired)
        record = CertificateRecord(
            done.certificate_id, done.seq, done.time, account, asset, done.amount,
            done.beneficiary, done.purpose, list(done.serials), ref,
        )  # fmt: skip
        return _certificate(record, markets, mine=True)
    found = await call.gateway.from_history(
        lambda history: history.issuance.certificates(account, 1, ref)
    )
    return _certificate(found[0], markets, mine=True)


async def my_subscriptions(call: Call) -> Any:
    """GET /api/v1/assets/subscriptions: the account's, newest first."""
    asset = _optional_asset(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.issuance.subscriptions(account, asset, limit)
    )
    return [_subscription(record, call.gateway.markets) for record in records]


async def my_redemptions(call: Call) -> Any:
    """GET /api/v1/assets/redemptions: the account's, newest first, with their status."""
    asset = _optional_asset(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.issuance.redemptions(account, asset, None, limit)
    )
    return [_redemption(record, call.gateway.markets) for record in records]


async def my_payouts(call: Call) -> Any:
    """GET /api/v1/assets/distributions/mine: what distributions paid the account."""
    asset = _optional_asset(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.issuance.payouts(account, asset, limit)
    )
    markets = call.gateway.markets
    return [
        {
            "distributionId": record.seq,
            "time": ms(record.time_us),
            "asset": record.asset,
            "payAsset": record.pay_asset,
            "amount": markets.amount(record.pay_asset, record.amount),
        }
        for record in records
    ]


async def my_certificates(call: Call) -> Any:
    """GET /api/v1/assets/certificates: the account's retirement certificates."""
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.issuance.certificates(account, limit)
    )
    return [_certificate(record, call.gateway.markets, mine=True) for record in records]


async def eligibility(call: Call) -> Any:
    """GET /api/v1/assets/eligibility: whether the account may hold `asset` (take more of
    it: subscribe, be allocated, buy) and trade it now, each holder rule it falls foul of,
    its identity as compliance verified it, its holding and what of it is frozen."""
    asset = _token_code(call)
    call.params.ensure_all_read()
    gateway, account = call.gateway, call.account
    issuance, markets = gateway.issuance, gateway.markets
    identity = issuance.identity(account)
    rules = issuance.holder_rules.get(asset)
    holding = sum(free + held for _, code, free, held in gateway.engine.balances(account)
                  if code == asset)  # fmt: skip
    problems: list[HolderProblem] = []
    reasons: list[dict[str, str]] = []
    room = None
    if rules is not None:
        holders = 0
        if rules.max_holders and holding == 0:  # the engine counts them only then too
            most = rules.max_holders
            holders = await gateway.from_history(
                lambda history: history.issuance.holder_count(asset, most)
            )
        problems = holder_problems(rules, identity, holding, holders, call.now_ms * 1000)
        reasons = [
            {"reason": problem.value, "msg": _problem_message(problem, rules, identity, markets)}
            for problem in problems
        ]
        if rules.max_per_holder:
            room = markets.amount(asset, max(0, rules.max_per_holder - holding))
    return {
        "asset": asset,
        "permissioned": rules is not None,
        "identity": {"kycLevel": identity.kyc_level, "country": identity.country or None},
        "eligible": not STOPS_HOLDING.intersection(problems),
        "tradable": HolderProblem.LOCKED_UP not in problems,
        "reasons": reasons,
        "holding": markets.amount(asset, holding),
        "frozen": markets.amount(asset, issuance.frozen_of(account, asset)),
        "room": room,
        "holderRules": _holder_rules(rules, markets),
    }


async def my_actions(call: Call) -> Any:
    """GET /api/v1/assets/actions: what issuers did to the account's holdings, newest
    first: allocations, forced transfers and recoveries (with their reason and reference),
    freezes and releases (with their reason)."""
    asset = _optional_asset(call)
    limit = _positive(call, "limit")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.issuance.issuer_actions(account, asset, limit)
    )
    return [_action(record, call.gateway.markets) for record in records]


_MINE: Final = (ParamDoc("asset"), _LIMIT, *_SIGNED)

# The fixed paths before those with a path parameter: `/api/v1/assets/certificates` is
# this account's list, not a token called "certificates".
ENDPOINTS = (
    Endpoint("GET", PREFIX, tokens, Security.NONE,
             "Every real-world-asset token: terms, supply, reserve, headroom"),
    Endpoint("POST", f"{PREFIX}/subscribe", subscribe, Security.TRADE,
             "Buy new tokens from their issuer at its price plus fee",
             (ParamDoc("asset", required=True), ParamDoc("amount", required=True),
              ParamDoc("clientRef"), *_SIGNED), counts_as_order=True),
    Endpoint("POST", f"{PREFIX}/redeem", redeem, Security.TRADE,
             "Ask the issuer to redeem tokens (held until it confirms or rejects)",
             (ParamDoc("asset", required=True), ParamDoc("amount", required=True),
              ParamDoc("physical"), ParamDoc("clientRef"), *_SIGNED), counts_as_order=True),
    Endpoint("DELETE", f"{PREFIX}/redeem", cancel_redemption, Security.TRADE,
             "Cancel a pending redemption",
             (ParamDoc("redemptionId", "integer", True), *_SIGNED)),
    Endpoint("POST", f"{PREFIX}/retire", retire, Security.TRADE,
             "Retire carbon credits for a beneficiary; answers the certificate",
             (ParamDoc("asset", required=True), ParamDoc("amount", required=True),
              ParamDoc("beneficiary", required=True), ParamDoc("purpose"),
              ParamDoc("clientRef"), *_SIGNED), counts_as_order=True),
    Endpoint("GET", f"{PREFIX}/subscriptions", my_subscriptions, Security.USER_DATA,
             "This account's subscriptions", _MINE),
    Endpoint("GET", f"{PREFIX}/redemptions", my_redemptions, Security.USER_DATA,
             "This account's redemptions and their status", _MINE),
    Endpoint("GET", f"{PREFIX}/distributions/mine", my_payouts, Security.USER_DATA,
             "What distributions paid this account", _MINE),
    Endpoint("GET", f"{PREFIX}/certificates", my_certificates, Security.USER_DATA,
             "This account's retirement certificates", (_LIMIT, *_SIGNED)),
    Endpoint("GET", f"{PREFIX}/eligibility", eligibility, Security.USER_DATA,
             "Whether this account may hold a token and trade it now, and if not why; "
             "its identity, holding and frozen amount",
             (ParamDoc("asset", required=True), *_SIGNED)),
    Endpoint("GET", f"{PREFIX}/actions", my_actions, Security.USER_DATA,
             "What issuers did to this account's holdings: allocations, forced transfers, "
             "recoveries, freezes and releases, newest first", _MINE),
    Endpoint("GET", f"{PREFIX}/certificates/{{id}}", certificate, Security.NONE,
             "A retirement certificate, for anyone",
             (ParamDoc("id", "integer", True, "the certificate's id"),)),
    Endpoint("GET", f"{PREFIX}/{{asset}}", token, Security.NONE,
             "A token: terms, documents, reserve, supply, the latest attestation",
             (_ASSET_PATH,)),
    Endpoint("GET", f"{PREFIX}/{{asset}}/attestations", attestations, Security.NONE,
             "A token's reserve attestations, newest first; with seq, one with its lots",
             (_ASSET_PATH, ParamDoc("seq", "integer"), ParamDoc("offset", "integer"), _LIMIT)),
    Endpoint("GET", f"{PREFIX}/{{asset}}/supply", supply, Security.NONE,
             "A token's supply and reserve over time, oldest first", (_ASSET_PATH, _LIMIT)),
    Endpoint("GET", f"{PREFIX}/{{asset}}/distributions", distributions, Security.NONE,
             "A token's distributions to its holders, newest first", (_ASSET_PATH, _LIMIT)),
)  # fmt: skip
