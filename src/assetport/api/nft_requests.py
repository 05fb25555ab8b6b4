"""What the NFT marketplace's endpoints share (api/rest_nft_trade.py, api/rest_nft_drops.py):
their parameters (ids, counts, prices in the collection currency's precision, times, JSON
lists), the collection a request names, running a command and the refusals, which name the
rule that failed."""

from typing import Any, Final

import msgspec

from assetport.api import errors
from assetport.api.errors import ApiError, ErrorSpec, RejectContext, reject_error
from assetport.api.http import Call
from assetport.domain.commands import Command
from assetport.domain.events import Event, refusal
from assetport.domain.nft.collections import Collection
from assetport.domain.nft.items import MAX_TOKEN_ID
from assetport.domain.results import RejectReason
from assetport.edge import bounded_json
from assetport.views.markets import Markets

_NFT: Final = RejectContext.NFT


def broken_rule(spec: ErrorSpec, rule: str) -> ApiError:
    """The error of `spec`, its message followed by the rule that failed (a domain
    `*_problem` text): the user learns what to change."""
    return ApiError(spec.code, f"{spec.msg} {rule[0].upper()}{rule[1:]}.", spec.http_status)


def invalid_terms(rule: str) -> ApiError:
    return broken_rule(errors.INVALID_NFT_TERMS, rule)


def rejected(reason: RejectReason) -> ApiError:
    return reject_error(reason, _NFT)


def collection(call: Call, code: str) -> Collection:
    found: Collection | None = call.gateway.nft.collection(code)
    if found is None:
        raise rejected(RejectReason.UNKNOWN_COLLECTION)
    return found


def precision(markets: Markets, currency: str) -> int:
    return markets.precision[currency]  # a collection's currency is listed: the engine checked


def code(call: Call) -> str:
    """The collection a request names (unknown ones are refused by the view or engine)."""
    return call.params.string("collection")


def token_id(call: Call) -> int:
    token_id = call.params.integer("tokenId")
    if token_id > MAX_TOKEN_ID:
        raise errors.invalid_parameter("tokenId")
    return token_id


def whole(call: Call, name: str, default: int | None = None) -> int:
    """A count above zero (units of an item, an id); `default` when not sent, or required
    without one."""
    value = call.params.integer(name) if default is None else call.params.optional_integer(name)
    if value is None:
        value = default
    if value is None or value <= 0:
        raise errors.invalid_parameter(name)
    return value


def price(call: Call, name: str, precision: int, required: bool = True) -> int:
    """A price in the currency's precision (too many decimals: -1111); 0 when optional and
    not sent. A price of zero is refused where one is required."""
    if not required:
        return call.params.optional_units(name, precision) or 0
    units = call.params.units(name, precision)
    if units <= 0:
        raise errors.invalid_parameter(name)
    return units


def time_us(call: Call, name: str) -> int | None:
    """A time in ms as the engine's µs; the domain's rules bound it before it is sent."""
    value = call.params.optional_integer(name)
    return None if value is None else value * 1000


def json_list(decoder: "bounded_json.Decoder[Any]", name: str, text: str) -> Any:
    """A JSON array parameter, its size and depth bounded before it is decoded; a wrong
    shape says where (msgspec's path, e.g. `$[0].tokenId`)."""
    try:
        return decoder.decode(text)
    except bounded_json.JsonRefused as exc:
        raise errors.invalid_data(f"'{name}' is too large or too deeply nested") from exc
    except msgspec.ValidationError as exc:
        raise errors.invalid_data(f"'{name}': {exc}") from exc
    except msgspec.DecodeError as exc:
        raise errors.invalid_data(f"'{name}' is not a JSON array") from exc


async def execute(call: Call, command: Command) -> list[Event]:
    """The command's events; an engine refusal as the marketplace's error."""
    outcome = await call.gateway.execute(command)
    refused = refusal(outcome.events)
    if refused is not None:
        raise rejected(refused.reason)
    return outcome.events


def first(events: list[Event], kind: type[Any]) -> Any:
    found = next((event for event in events if isinstance(event, kind)), None)
    if found is None:
        raise errors.UNKNOWN.error()  # the engine answers with one or a refusal
    return found
