"""The issuers' operator endpoints under /api/v1/admin/issuance (docs/issuance.md):
register an attestor's key, set a token's terms and its subscription terms, record a signed
reserve attestation, mint into the treasury (never past the reserve), burn, fund the
treasury (rent or royalties collected off the platform), pay a distribution to every
holder, work the redemptions (the pending ones, confirm with bars and cash, reject), move
tokens on the issuer's word (allocation, forced transfer, recovery), read the holder
register, set who may hold a permissioned token (holder rules) and freeze or release a
holding, and record what compliance verified of an account (`/api/v1/admin/identity`: its
KYC level and country). Amounts are decimal strings in the asset's precision, but an
attestation's, which is what the attestor signed: integer units, as signed.

Who may call them: the platform's operator with the admin token, for every issuer; or an
issuer's agent with its own token (`edge/issuer_agents.py`), for its issuer alone: a token,
a treasury or a redemption of another issuer is refused (-7080, 403) before anything is
sent, its reads show its issuer's tokens only, and each command it sends carries its name
(`agent`), which the holder is shown. What compliance verified of an account stays the
platform's: `/api/v1/admin/identity` takes the admin token only.

The two reads (`/redemptions`, `/holders`) answer a GET with their parameters in the query
as well as a POST with a JSON body (what `assetport admin issuance` sends).
"""

import json
import secrets
from typing import Any, Final, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from assetport.api import errors
from assetport.api.gateway import Gateway
from assetport.api.params import decimal_to_units
from assetport.api.rest_admin import AdminCall, AdminHandler, admin_route
from assetport.domain.accounts import ISSUER_TREASURIES
from assetport.domain.commands import (
    BurnRwa,
    ConfirmRedemption,
    Deposit,
    Distribute,
    FreezeHolding,
    MintRwa,
    RecordAttestation,
    RegisterAttestor,
    RejectRedemption,
    SetAccountIdentity,
    SetHolderRules,
    SetRwaTerms,
    SetSubscriptionTerms,
    TransferRwa,
    UnfreezeHolding,
)
from assetport.domain.events import (
    DistributionPaid,
    HoldingFrozen,
    HoldingUnfrozen,
    RedemptionCompleted,
    RedemptionEnded,
    ReserveAttested,
    RwaBurned,
    RwaMinted,
    RwaTransferred,
)
from assetport.domain.identities import AccountIdentity
from assetport.domain.issuance.attestations import Attestation
from assetport.domain.issuance.holders import HolderRules
from assetport.domain.issuance.redemptions import RedemptionStatus
from assetport.domain.issuance.terms import MAX_FEE_BPS, RwaTerms, SubscriptionTerms, TransferKind
from assetport.edge.issuer_agents import IssuerAgents
from assetport.edge.keys import AdminToken
from assetport.edge.users import UserStore
from assetport.store.history import History, RedemptionRecord

T = TypeVar("T")
PREFIX = "/api/v1/admin/issuance"


def _struct(call: AdminCall, name: str, kind: type[T]) -> T:
    """A JSON object of the body as `kind`: a bad shape is an invalid parameter."""
    value = call.body.get(name)
    if not isinstance(value, dict):
        raise errors.mandatory_missing(name)
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise errors.invalid_parameter(name) from exc


def _issuer(call: AdminCall) -> int:
    value = call.body.get("issuer")
    if not isinstance(value, int) or isinstance(value, bool):
        raise errors.mandatory_missing("issuer")
    if value not in ISSUER_TREASURIES:
        raise errors.invalid_parameter("issuer")
    return value


def _agent(call: AdminCall) -> str:
    """The name a command carries: the agent's, or "" for the platform's operator."""
    return "" if call.agent is None else call.agent.name


def _acts_for(call: AdminCall, issuer: int | None) -> None:
    """An issuer's agent acts for its own issuer only: refused (403) before anything is
    sent. The admin token acts for every issuer."""
    if call.agent is not None and call.agent.issuer != issuer:
        raise errors.NOT_THE_AGENTS_ISSUER.error()


def _acts_on(call: AdminCall, asset: str) -> None:
    """`_acts_for` the token's issuer, as its listing names it (none for a code that is no
    issuer's token)."""
    listed = call.gateway.markets.assets.get(asset)
    _acts_for(call, None if listed is None else listed.issuer)


def _ref(call: AdminCall) -> str:
    return str(call.body.get("ref") or f"issuance-{secrets.token_hex(12)}")


def _one(events: list[Any], kind: type[T]) -> T | None:
    """The event of `kind` the command made; None when it was a retry (nothing new)."""
    return next((event for event in events if isinstance(event, kind)), None)


async def register_attestor(call: AdminCall) -> Any:
    issuer = _issuer(call)
    _acts_for(call, issuer)
    key_id, public_key = call.text("key_id"), call.text("public_key")
    await call.execute(RegisterAttestor(issuer, key_id, public_key, _agent(call)))
    return {"issuer": issuer, "key_id": key_id, "public_key": public_key}


async def set_terms(call: AdminCall) -> Any:
    terms = _struct(call, "terms", RwaTerms)
    _acts_for(call, terms.issuer)
    _acts_on(call, terms.asset)
    await call.execute(SetRwaTerms(terms, _agent(call)))
    return {"terms": msgspec.to_builtins(terms)}


async def record_attestation(call: AdminCall) -> Any:
    attestation = _struct(call, "attestation", Attestation)
    _acts_on(call, attestation.statement.asset)
    events = await call.execute(RecordAttestation(attestation, _agent(call)))
    statement = attestation.statement
    markets = call.gateway.markets
    attested = _one(events, ReserveAttested)
    supply = None if attested is None else markets.amount(statement.asset, attested.supply)
    return {
        "asset": statement.asset,
        "attestor": statement.attestor,
        "lots": len(statement.lots),
        "reserve": markets.amount(statement.asset, statement.total_units),
        "supply": supply,
    }


async def mint(call: AdminCall) -> Any:
    asset = call.text("asset")
    _acts_on(call, asset)
    ref = _ref(call)
    events = await call.execute(MintRwa(asset, call.amount(asset), ref, _agent(call)))
    minted = _one(events, RwaMinted)
    markets = call.gateway.markets
    if minted is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    return {"asset": asset, "ref": ref, "supply": markets.amount(asset, minted.supply),
            "reserve": markets.amount(asset, minted.reserve)}  # fmt: skip


async def burn(call: AdminCall) -> Any:
    asset = call.text("asset")
    _acts_on(call, asset)
    ref = _ref(call)
    events = await call.execute(BurnRwa(asset, call.amount(asset), ref, _agent(call)))
    burned = _one(events, RwaBurned)
    if burned is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    return {"asset": asset, "ref": ref, "supply": call.gateway.markets.amount(asset, burned.supply)}


async def fund(call: AdminCall) -> Any:
    """Money the platform received for the issuer off the platform (rent, royalties) into
    its treasury: the platform's operator only (a token so deposited is held to its
    reserve like a mint)."""
    issuer = _issuer(call)
    asset = call.text("asset")
    ref = _ref(call)
    await call.execute(Deposit(issuer, asset, call.amount(asset), ref))
    return {"issuer": issuer, "asset": asset, "ref": ref}


async def distribute(call: AdminCall) -> Any:
    asset, pay_asset = call.text("asset"), call.text("pay_asset")
    _acts_on(call, asset)
    ref = _ref(call)
    amount = call.amount(pay_asset)
    events = await call.execute(Distribute(asset, pay_asset, amount, ref, _agent(call)))
    paid = _one(events, DistributionPaid)
    if paid is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    markets = call.gateway.markets
    return {
        "asset": asset,
        "pay_asset": pay_asset,
        "ref": ref,
        "holders_paid": len(paid.payouts),
        "paid": markets.amount(pay_asset, paid.amount - paid.remainder),
        "remainder": markets.amount(pay_asset, paid.remainder),
    }


MAX_BARS: Final = 10_000  # serials in one confirmation (the engine's bound too)


def _integer(call: AdminCall, name: str, required: bool = True) -> int | None:
    """A non-negative integer of the body (a JSON number, or its digits as a string, as a
    query gives it)."""
    value = call.body.get(name)
    if value is None:
        if required:
            raise errors.mandatory_missing(name)
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise errors.invalid_parameter(name)
    return value


def _token(call: AdminCall) -> str:
    """`asset`: a token with terms (its issuer is the one acting)."""
    asset = call.text("asset")
    if asset not in call.gateway.issuance.terms:
        raise errors.NOT_AN_RWA_TOKEN.error()
    return asset


def _decimal(call: AdminCall, name: str, asset: str, asset_name: str = "asset") -> int:
    """A decimal amount of the body in the precision of `asset` (the body's `asset_name`),
    more than zero."""
    precision = call.gateway.markets.precision.get(asset)
    if precision is None:
        raise errors.invalid_parameter(asset_name)
    units = decimal_to_units(name, call.text(name), precision)
    if units <= 0:
        raise errors.invalid_parameter(name)
    return units


async def set_subscription_terms(call: AdminCall) -> Any:
    asset = _token(call)
    _acts_on(call, asset)
    quote = call.text("quote")
    open_ = call.body.get("open", True)
    fee_bps = _integer(call, "fee_bps")
    if not isinstance(open_, bool):
        raise errors.invalid_parameter("open")
    if fee_bps is None or fee_bps > MAX_FEE_BPS:
        raise errors.invalid_parameter("fee_bps")
    terms = SubscriptionTerms(
        asset, quote, _decimal(call, "price", quote, "quote"), fee_bps,
        _decimal(call, "minimum", asset), open_,
    )  # fmt: skip
    await call.execute(SetSubscriptionTerms(terms, _agent(call)))
    markets = call.gateway.markets
    return {"asset": asset, "quote": quote, "price": markets.amount(quote, terms.price),
            "fee_bps": fee_bps, "minimum": markets.amount(asset, terms.minimum),
            "open": open_}  # fmt: skip


def _redemption_json(record: RedemptionRecord, call: AdminCall) -> dict[str, Any]:
    markets = call.gateway.markets
    asset = record.asset
    return {
        "redemption_id": record.redemption_id,
        "account": record.account,
        "asset": asset,
        "amount": markets.amount(asset, record.amount),
        "fee": markets.amount(asset, record.fee),
        "physical": record.physical,
        "status": record.status.value,
        "requested_ms": record.requested_us // 1000,
        "agent": record.agent or None,
    }


async def pending_redemptions(call: AdminCall) -> Any:
    """The redemptions waiting for the issuer (of `asset`, or of every token: an agent's,
    of every token of its issuer), oldest first."""
    asset = call.text("asset") if "asset" in call.body else None
    if asset is not None and asset not in call.gateway.issuance.terms:
        raise errors.NOT_AN_RWA_TOKEN.error()
    if asset is not None:
        _acts_on(call, asset)
    issuer = None if call.agent is None else call.agent.issuer
    limit = _integer(call, "limit", required=False)
    pending = RedemptionStatus.PENDING
    records = await call.gateway.from_history(
        lambda history: history.issuance.redemptions(None, asset, pending, limit, issuer=issuer)
    )
    return [_redemption_json(record, call) for record in records]


async def _pending(call: AdminCall) -> RedemptionRecord:
    """The redemption the body names (`redemption_id`), from the history: its issuer is
    the one the command acts for."""
    redemption_id = _integer(call, "redemption_id")
    assert redemption_id is not None
    found = await call.gateway.from_history(
        lambda history: history.issuance.redemption(redemption_id)
    )
    if found is None:
        raise errors.UNKNOWN_REDEMPTION.error()
    return found


def _bars(call: AdminCall) -> tuple[str, ...]:
    bars = call.body.get("bars", [])
    if (
        not isinstance(bars, list)
        or len(bars) > MAX_BARS
        or not all(isinstance(serial, str) and serial for serial in bars)
    ):
        raise errors.invalid_parameter("bars")
    return tuple(bars)


async def confirm_redemption(call: AdminCall) -> Any:
    record = await _pending(call)
    _acts_on(call, record.asset)
    bars = _bars(call)
    pay_asset = str(call.body.get("pay_asset") or "")
    cash_price = _decimal(call, "cash_price", pay_asset, "pay_asset") if pay_asset else 0
    issuer = call.gateway.issuance.terms[record.asset].issuer
    command = ConfirmRedemption(
        issuer, record.redemption_id, bars, pay_asset, cash_price, _agent(call)
    )
    events = await call.execute(command)
    done = _one(events, RedemptionCompleted)
    if done is None:
        raise errors.REDEMPTION_NOT_PENDING.error()
    markets = call.gateway.markets
    return {
        "redemption_id": done.redemption_id,
        "status": RedemptionStatus.COMPLETED.value,
        "burned": markets.amount(done.asset, done.burned),
        "bars": [serial for serial, _ in done.bars],
        "cash": markets.amount(done.pay_asset, done.cash) if done.pay_asset else None,
        "supply": markets.amount(done.asset, done.supply),
    }


async def reject_redemption(call: AdminCall) -> Any:
    record = await _pending(call)
    _acts_on(call, record.asset)
    issuer = call.gateway.issuance.terms[record.asset].issuer
    events = await call.execute(
        RejectRedemption(issuer, record.redemption_id, call.text("reason"), _agent(call))
    )
    ended = _one(events, RedemptionEnded)
    if ended is None:
        raise errors.REDEMPTION_NOT_PENDING.error()
    return {"redemption_id": ended.redemption_id, "status": ended.status.value}


async def transfer(call: AdminCall) -> Any:
    """Tokens moved on the issuer's word: `kind` allocation (from its treasury), forced
    (a court's order: `reason` says whose) or recovery (the whole holding, `amount` left out
    or 0, to the same person's new account)."""
    asset = _token(call)
    _acts_on(call, asset)
    try:
        kind = TransferKind(call.text("kind"))
    except ValueError as exc:
        raise errors.invalid_parameter("kind") from exc
    source, target = _integer(call, "source"), _integer(call, "target")
    assert source is not None and target is not None
    whole = kind is TransferKind.RECOVERY and call.body.get("amount") in (None, "0")
    amount = 0 if whole else _decimal(call, "amount", asset)
    reason = str(call.body.get("reason") or "")
    ref = _ref(call)
    issuer = call.gateway.issuance.terms[asset].issuer
    events = await call.execute(
        TransferRwa(issuer, asset, source, target, amount, kind, reason, ref, _agent(call))
    )
    moved = _one(events, RwaTransferred)
    if moved is None:
        return {"asset": asset, "ref": ref, "applied": "already"}
    return {"asset": asset, "kind": kind.value, "source": source, "target": target,
            "amount": call.gateway.markets.amount(asset, moved.amount), "ref": ref}  # fmt: skip


async def holders(call: AdminCall) -> Any:
    """The holder register of `asset`: each holder's free and held balance, by account,
    from `from_account` (paging), at most `limit` (1000)."""
    asset = call.text("asset")
    if asset not in call.gateway.issuance.supplies:
        raise errors.UNKNOWN_RWA_TOKEN.error()
    _acts_on(call, asset)
    start = _integer(call, "from_account", required=False) or 0
    limit = _integer(call, "limit", required=False)

    def register(history: History) -> Any:
        return history.issuance.holders(asset, start, limit)

    markets = call.gateway.markets
    return [
        {"account": holder.account, "free": markets.amount(asset, holder.free),
         "held": markets.amount(asset, holder.held)}
        for holder in await call.gateway.from_history(register)
    ]  # fmt: skip


def _texts(call: AdminCall, name: str) -> tuple[str, ...]:
    value = call.body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise errors.invalid_parameter(name)
    return tuple(value)


async def set_holder_rules(call: AdminCall) -> Any:
    """Who may hold the token: `min_kyc_level`, `countries_allowed`, `countries_denied`,
    `max_holders`, `max_per_holder` (decimal), `lockup_until_ms`, `withdrawable`; each left
    out is no limit."""
    asset = _token(call)
    _acts_on(call, asset)
    withdrawable = call.body.get("withdrawable", True)
    if not isinstance(withdrawable, bool):
        raise errors.invalid_parameter("withdrawable")
    cap = 0 if call.body.get("max_per_holder") is None else _decimal(call, "max_per_holder", asset)
    lockup_ms = _integer(call, "lockup_until_ms", required=False) or 0
    rules = HolderRules(
        asset,
        _integer(call, "min_kyc_level", required=False) or 0,
        _texts(call, "countries_allowed"),
        _texts(call, "countries_denied"),
        _integer(call, "max_holders", required=False) or 0,
        cap,
        min(lockup_ms, 2**62 // 1000) * 1000,
        withdrawable,
    )
    issuer = call.gateway.issuance.terms[asset].issuer
    await call.execute(SetHolderRules(issuer, rules, _agent(call)))
    return {"issuer": issuer, "rules": msgspec.to_builtins(rules)}


async def _freezing(call: AdminCall, freeze: bool) -> Any:
    asset = _token(call)
    _acts_on(call, asset)
    account = _integer(call, "user_id")
    assert account is not None
    amount = 0 if call.body.get("amount") in (None, "0") else _decimal(call, "amount", asset)
    reason = call.text("reason")
    issuer = call.gateway.issuance.terms[asset].issuer
    agent = _agent(call)
    done: HoldingFrozen | HoldingUnfrozen | None
    if freeze:
        events = await call.execute(FreezeHolding(issuer, account, asset, amount, reason, agent))
        done = _one(events, HoldingFrozen)
    else:
        events = await call.execute(UnfreezeHolding(issuer, account, asset, amount, reason, agent))
        done = _one(events, HoldingUnfrozen)
    assert done is not None  # a refusal raised
    markets = call.gateway.markets
    return {"asset": asset, "user_id": account, "amount": markets.amount(asset, done.amount),
            "frozen": markets.amount(asset, done.frozen), "reason": reason}  # fmt: skip


async def freeze(call: AdminCall) -> Any:
    """Freeze `amount` (left out: all) of the user's free holding of a token."""
    return await _freezing(call, True)


async def unfreeze(call: AdminCall) -> Any:
    return await _freezing(call, False)


async def set_identity(call: AdminCall) -> Any:
    """What compliance verified of a user: `kyc_level` (0-3) and `country` (ISO alpha-2)."""
    account = _integer(call, "user_id")
    level = _integer(call, "kyc_level")
    assert account is not None and level is not None
    country = str(call.body.get("country") or "")
    await call.execute(SetAccountIdentity(account, AccountIdentity(level, country)))
    return {"user_id": account, "kyc_level": level, "country": country}


# The issuer's steps: the admin token, or an agent's token for its own issuer.
ISSUANCE_ENDPOINTS: Final[tuple[tuple[str, AdminHandler], ...]] = (
    (f"{PREFIX}/attestors", register_attestor),
    (f"{PREFIX}/terms", set_terms),
    (f"{PREFIX}/attestations", record_attestation),
    (f"{PREFIX}/mint", mint),
    (f"{PREFIX}/burn", burn),
    (f"{PREFIX}/distribute", distribute),
    (f"{PREFIX}/subscription-terms", set_subscription_terms),
    (f"{PREFIX}/redemptions", pending_redemptions),
    (f"{PREFIX}/redemptions/confirm", confirm_redemption),
    (f"{PREFIX}/redemptions/reject", reject_redemption),
    (f"{PREFIX}/transfer", transfer),
    (f"{PREFIX}/holders", holders),
    (f"{PREFIX}/holder-rules", set_holder_rules),
    (f"{PREFIX}/freeze", freeze),
    (f"{PREFIX}/unfreeze", unfreeze),
)
# The platform's word, the admin token only: what compliance verified of an account, and
# money the platform received for an issuer off the platform (a deposit brings units into
# the ledger: an issuer's agent saying so is not enough).
COMPLIANCE_ENDPOINTS: Final[tuple[tuple[str, AdminHandler], ...]] = (
    ("/api/v1/admin/identity", set_identity),
    (f"{PREFIX}/fund", fund),
)
# The reads, also as GET with their parameters in the query.
ISSUANCE_QUERIES: Final[tuple[tuple[str, AdminHandler], ...]] = (
    (f"{PREFIX}/redemptions", pending_redemptions),
    (f"{PREFIX}/holders", holders),
)


def issuance_routes(
    gateway: Gateway, users: UserStore, token: AdminToken, agents: IssuerAgents | None = None
) -> list[Route]:
    """The issuer endpoints (POST), the compliance one, and GET routes for the reads: the
    query's parameters are handed to the endpoint (tokens, errors and all) as the JSON body
    a POST would carry. `agents`: whose tokens also open the issuer's steps (None: only the
    admin token)."""
    routes = [
        admin_route(path, handler, gateway, users, token, agents)
        for path, handler in ISSUANCE_ENDPOINTS
    ]
    routes += [
        admin_route(path, handler, gateway, users, token) for path, handler in COMPLIANCE_ENDPOINTS
    ]
    for path, handler in ISSUANCE_QUERIES:
        answer = admin_route(path, handler, gateway, users, token, agents).endpoint
        routes.append(Route(path, _query_as_body(answer), methods=["GET"]))
    return routes


def _query_as_body(answer: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        body = json.dumps(dict(request.query_params)).encode()

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        response: Response = await answer(Request(request.scope, receive))
        return response

    return endpoint
