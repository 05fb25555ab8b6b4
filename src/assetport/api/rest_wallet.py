"""Small balances converted, on Binance's wallet endpoints (`/sapi/v1/asset/dust-convert/`):
what can be converted and for how much, and the conversion itself (`domain/dust.py`).

Binance converts into BNB or a target asset the account names; Assetport converts into the
quote asset of the markets that price the small balances (KRW on the demo's won markets).
The preview values each balance at the last trade price the gateway has seen; the conversion
is valued by the engine at its own last price, and its answer states what actually moved.
"""

from typing import Any, Final

from assetport.api import errors
from assetport.api.errors import RejectContext, reject_error
from assetport.api.http import Call, Endpoint, ParamDoc, Security
from assetport.domain.commands import ConvertDust
from assetport.domain.dust import DUST_FEE_BPS, dust_fee, dust_value, is_dust
from assetport.domain.events import CommandRejected, DustConverted
from assetport.domain.markets import MarketTerms
from assetport.domain.units import from_units
from assetport.edge.errors import UNKNOWN

# A request names at most this many assets: more is never dust worth one request.
MAX_ASSETS: Final = 20
DEFAULT_TARGET: Final = "KRW"


def _target(call: Call, required: bool) -> str:
    params = call.params
    target = params.string("targetAsset") if required else params.optional_string("targetAsset")
    target = target or DEFAULT_TARGET
    if target not in call.gateway.markets.precision:
        raise errors.invalid_parameter("targetAsset")
    return target


def _market(call: Call, asset: str, target: str) -> MarketTerms | None:
    for terms in call.gateway.markets.terms.values():
        if terms.market.base == asset and terms.market.quote == target:
            return terms
    return None


async def convertible_assets(call: Call) -> Any:
    """POST /sapi/v1/asset/dust-convert/query-convertible-assets: each small free balance
    and what it would bring, by Binance's fields (the quota asset is the target here)."""
    target = _target(call, required=True)
    call.params.ensure_all_read()
    gateway = call.gateway
    markets = gateway.markets
    details = []
    total = 0
    smallest_minimum: int | None = None
    for _, asset, free, _held in gateway.engine.balances(call.account):
        terms = _market(call, asset, target)
        if terms is None or not free:
            continue
        m = terms.market
        if m.min_notional and (smallest_minimum is None or m.min_notional < smallest_minimum):
            smallest_minimum = m.min_notional
        price = gateway.market_data.last_price(m.symbol)
        if not price:
            continue
        value = dust_value(free, price, 10 ** markets.precision[asset])
        if not is_dust(free, value, m.min_qty, m.min_notional):
            continue
        fee = dust_fee(value)
        total += value
        details.append(
            {
                "asset": asset,
                "assetFullName": asset,
                "amountFree": markets.amount(asset, free),
                "exchange": markets.amount(target, fee),
                "toQuotaAssetAmount": markets.amount(target, value),
                "toTargetAssetAmount": markets.amount(target, value),
                "toTargetAssetOffExchange": markets.amount(target, value - fee),
            }
        )
    return {
        "dribbletPercentage": from_units(DUST_FEE_BPS, 4),  # "0.0200": 2 %
        "totalTransferQuotaAssetAmount": markets.amount(target, total),
        "totalTransferTargetAssetAmount": markets.amount(target, total),
        # What makes a balance small: under its market's minimum order (the smallest shown).
        "dribbletBase": markets.amount(target, smallest_minimum or 0),
        "details": details,
    }


def _assets(call: Call, target: str) -> tuple[str, ...]:
    """`asset=A,B` (or one asset): each a listed asset, no repeats, at most `MAX_ASSETS`."""
    raw = call.params.string("asset")
    names = tuple(name.strip() for name in raw.split(","))
    if len(names) > MAX_ASSETS:
        raise errors.invalid_parameter("asset")
    known = call.gateway.markets.precision
    for name in names:
        if name not in known or name == target or names.count(name) > 1:
            raise errors.invalid_parameter("asset")
    return names


async def convert(call: Call) -> Any:
    """POST /sapi/v1/asset/dust-convert/convert: the named small balances into the target,
    all or none; the answer says what each brought (Binance's fields)."""
    target = _target(call, required=False)
    assets = _assets(call, target)
    call.params.optional_string("clientId")  # accepted as Binance does; the seq is the id
    call.params.ensure_all_read()
    outcome = await call.gateway.engine.execute(ConvertDust(call.account, assets, target))
    markets = call.gateway.markets
    for event in outcome.events:
        if isinstance(event, CommandRejected):
            raise reject_error(event.reason, RejectContext.DUST)
        if isinstance(event, DustConverted):
            time_ms = event.time // 1000
            results = [
                {
                    "tranId": event.seq,
                    "fromAsset": c.asset,
                    "amount": markets.amount(c.asset, c.amount),
                    "transferedAmount": markets.amount(target, c.transferred),
                    "serviceChargeAmount": markets.amount(target, c.fee),
                    "operateTime": time_ms,
                }
                for c in event.conversions
            ]
            return {
                "totalTransfered": markets.amount(
                    target, sum(c.transferred for c in event.conversions)
                ),
                "totalServiceCharge": markets.amount(target, sum(c.fee for c in event.conversions)),
                "transferResult": results,
            }
    raise UNKNOWN.error()  # the engine answers a conversion with one of the two


async def dribblet(call: Call) -> Any:
    """GET /sapi/v1/asset/dribblet: the account's conversions, newest first (the last 100,
    as Binance answers), from the SQL read model."""
    params = call.params
    start = params.optional_integer("startTime")
    end = params.optional_integer("endTime")
    call.params.ensure_all_read()
    account = call.account
    records = await call.gateway.from_history(
        lambda history: history.dust_conversions(account, start, end)
    )
    markets = call.gateway.markets
    found = []
    for record in records:
        time_ms = record.time_us // 1000
        found.append(
            {
                "operateTime": time_ms,
                "totalTransferedAmount": markets.amount(
                    record.target, sum(line.transferred for line in record.lines)
                ),
                "totalServiceChargeAmount": markets.amount(
                    record.target, sum(line.fee for line in record.lines)
                ),
                "transId": record.seq,
                "userAssetDribbletDetails": [
                    {
                        "transId": record.seq,
                        "serviceChargeAmount": markets.amount(record.target, line.fee),
                        "amount": markets.amount(line.asset, line.amount),
                        "operateTime": time_ms,
                        "transferedAmount": markets.amount(record.target, line.transferred),
                        "fromAsset": line.asset,
                    }
                    for line in record.lines
                ],
            }
        )
    return {"total": len(found), "userAssetDribblets": found}


_SIGNED: Final = (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True))

ENDPOINTS = (
    Endpoint("POST", "/sapi/v1/asset/dust-convert/query-convertible-assets",
             convertible_assets, Security.USER_DATA,
             "Small balances that can be converted, and what they would bring",
             (ParamDoc("targetAsset", required=True), *_SIGNED)),
    Endpoint("POST", "/sapi/v1/asset/dust-convert/convert", convert, Security.TRADE,
             "Convert small balances into the target asset (all or none)",
             (ParamDoc("asset", required=True), ParamDoc("targetAsset"),
              ParamDoc("clientId"), *_SIGNED)),
    Endpoint("GET", "/sapi/v1/asset/dribblet", dribblet, Security.USER_DATA,
             "Small balances converted so far (the last 100)",
             (ParamDoc("startTime", "integer"), ParamDoc("endTime", "integer"), *_SIGNED)),
)  # fmt: skip
