"""Binance-style request parameters: parsing the raw query and form body, typed getters.

`Params.parse(raw_query, raw_body)` reads `application/x-www-form-urlencoded` pairs from
both; a name in both takes the query's value (Binance: "the query wins"), a name repeated
within one of them is -1101. The getters raise `ApiError` with Binance's code and message,
and remember which names were read, so that `ensure_all_read()` can answer -1104 as Binance
does for a parameter the endpoint does not know.

Amounts are never floats: a decimal string becomes integer units at a precision, exactly,
or the request is refused (-1100 malformed, -1111 too much precision).
"""

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Final, TypeVar
from urllib.parse import unquote_plus

import msgspec

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)


class NewOrderRespType(StrEnum):
    ACK = "ACK"
    RESULT = "RESULT"
    FULL = "FULL"


class CancelReplaceMode(StrEnum):
    STOP_ON_FAILURE = "STOP_ON_FAILURE"
    ALLOW_FAILURE = "ALLOW_FAILURE"


KLINE_INTERVALS: Final = frozenset(
    {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h"}
    | {"1d", "3d", "1w", "1M"}
)

# Binance's own legal ranges, quoted back in -1100 messages.
SYMBOL_RANGE: Final = "^[A-Z0-9-_.]{1,20}$"
SYMBOLS_RANGE: Final = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$'
DECIMAL_RANGE: Final = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
INTEGER_RANGE: Final = "^[0-9]{1,20}$"
CLIENT_ORDER_ID_RANGE: Final = "^[a-zA-Z0-9-_.:/]{1,36}$"

_SYMBOL: Final = re.compile(r"[A-Z0-9\-_.]{1,20}")
_DECIMAL: Final = re.compile(r"([0-9]{1,20})(?:\.([0-9]{1,20}))?")
_INTEGER: Final = re.compile(r"[0-9]{1,20}")
_CLIENT_ORDER_ID: Final = re.compile(r"[a-zA-Z0-9\-_.:/]{1,36}")

MAX_PARAMS: Final = 64  # far above any endpoint's; bounds the work a request can cause
INT64_MAX: Final = 2**63 - 1
_POW10: Final[tuple[int, ...]] = tuple(10**n for n in range(40))

_E = TypeVar("_E", bound=StrEnum)

# Per enum: the lookup table and the error for a value outside it.
_SIDES: Final = {m.value: m for m in Side}
_TYPES: Final = {m.value: m for m in OrderType}
_TIFS: Final = {m.value: m for m in TimeInForce}
_RESP_TYPES: Final = {m.value: m for m in NewOrderRespType}
_STP_MODES: Final = {m.value: m for m in SelfTradePrevention}
_REPLACE_MODES: Final = {m.value: m for m in CancelReplaceMode}
_RESTRICTIONS: Final = {m.value: m for m in CancelRestriction}

_symbols_decoder: Final = msgspec.json.Decoder(list[str])


def _decode(raw: bytes) -> dict[str, str]:
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        # Clients percent-encode everything that is not ASCII before signing
        # (docs/binance-api.md, "Signed requests").
        raise errors.ILLEGAL_CHARACTERS.error() from None
    pairs: dict[str, str] = {}
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        if name in pairs:
            raise errors.DUPLICATE_PARAMETER.error()
        pairs[name] = value
    return pairs


class Params:
    """The parameters of one request, by name, with typed getters that raise `ApiError`."""

    __slots__ = ("_read", "_values")

    def __init__(self, values: dict[str, str]) -> None:
        if len(values) > MAX_PARAMS:
            raise errors.TOO_MANY_PARAMETERS.error()
        self._values = values
        self._read: set[str] = set()

    @classmethod
    def parse(cls, raw_query: bytes, raw_body: bytes = b"") -> "Params":
        """Parameters of the raw query string and raw form body; pass `b""` as the body
        unless it is `application/x-www-form-urlencoded`."""
        values = _decode(raw_query) if raw_query else {}
        if raw_body:
            body = _decode(raw_body)
            body.update(values)  # the query wins
            values = body
        return cls(values)

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> "Params":
        """Parameters of a WebSocket API request (`params` of the JSON message)."""
        return cls({name: ws_text(value) for name, value in values.items()})

    # -- raw access ------------------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __len__(self) -> int:
        return len(self._values)

    def peek(self, name: str) -> str | None:
        """A raw value without counting it as read (weights, routing)."""
        return self._values.get(name)

    def mark_read(self, *names: str) -> None:
        self._read.update(names)

    def ensure_all_read(self) -> None:
        """-1104 if a sent parameter was never read by the endpoint. (`_read` also holds
        names that were looked for but not sent, so only the sent ones are counted.)"""
        read = sum(1 for name in self._values if name in self._read)
        if read < len(self._values):
            raise errors.unread_parameters(read, len(self._values))

    def ensure_absent(self, name: str) -> None:
        """-1106 for a parameter this request must not carry (e.g. price on MARKET)."""
        if name in self._values:
            raise errors.param_not_required(name)

    # -- strings ---------------------------------------------------------------------------

    def string(self, name: str) -> str:
        value = self._values.get(name)
        self._read.add(name)
        if not value:
            raise errors.mandatory_missing(name)
        return value

    def optional_string(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        self._read.add(name)
        if not value:
            raise errors.param_empty(name)
        return value

    def symbol(self, name: str = "symbol") -> str:
        return _check_symbol(name, self.string(name))

    def optional_symbol(self, name: str = "symbol") -> str | None:
        value = self.optional_string(name)
        return None if value is None else _check_symbol(name, value)

    def symbols(self, name: str = "symbols") -> list[str] | None:
        """A JSON array of symbols, `symbols=["BTCUSDT","ETHUSDT"]`, or None when absent."""
        text = self.optional_string(name)
        if text is None:
            return None
        try:
            symbols = _symbols_decoder.decode(text)
        except msgspec.DecodeError:
            raise errors.illegal_chars(name, SYMBOLS_RANGE) from None
        for symbol in symbols:
            if not _SYMBOL.fullmatch(symbol):
                raise errors.illegal_chars(name, SYMBOLS_RANGE)
        if len(set(symbols)) != len(symbols):
            raise errors.DUPLICATE_SYMBOLS.error()
        return symbols

    def client_order_id(self, name: str = "newClientOrderId") -> str | None:
        value = self.optional_string(name)
        if value is not None and not _CLIENT_ORDER_ID.fullmatch(value):
            raise errors.illegal_chars(name, CLIENT_ORDER_ID_RANGE)
        return value

    def interval(self, name: str = "interval") -> str:
        value = self.string(name)
        if value not in KLINE_INTERVALS:
            raise errors.BAD_INTERVAL.error()
        return value

    # -- enums -----------------------------------------------------------------------------

    def side(self) -> Side:
        return self._enum("side", _SIDES, errors.INVALID_SIDE.error)

    def order_type(self) -> OrderType:
        return self._enum("type", _TYPES, errors.INVALID_ORDER_TYPE.error)

    def time_in_force(self) -> TimeInForce | None:
        return self._optional_enum("timeInForce", _TIFS, errors.INVALID_TIF.error)

    def new_order_resp_type(self) -> NewOrderRespType | None:
        return self._optional_enum(
            "newOrderRespType", _RESP_TYPES, lambda: errors.invalid_parameter("newOrderRespType")
        )

    def stp_mode(self) -> SelfTradePrevention | None:
        name = "selfTradePreventionMode"
        return self._optional_enum(name, _STP_MODES, lambda: errors.invalid_parameter(name))

    def cancel_replace_mode(self) -> CancelReplaceMode:
        name = "cancelReplaceMode"
        return self._enum(name, _REPLACE_MODES, lambda: errors.invalid_parameter(name))

    def cancel_restrictions(self) -> CancelRestriction | None:
        return self._optional_enum(
            "cancelRestrictions", _RESTRICTIONS, errors.INVALID_CANCEL_RESTRICTIONS.error
        )

    def _enum(self, name: str, members: dict[str, _E], invalid: Callable[[], ApiError]) -> _E:
        member = members.get(self.string(name))
        if member is None:
            raise invalid()
        return member

    def _optional_enum(
        self, name: str, members: dict[str, _E], invalid: Callable[[], ApiError]
    ) -> _E | None:
        value = self.optional_string(name)
        if value is None:
            return None
        member = members.get(value)
        if member is None:
            raise invalid()
        return member

    # -- numbers ---------------------------------------------------------------------------

    def units(self, name: str, precision: int) -> int:
        """A decimal amount as integer units of 10**-precision."""
        return decimal_to_units(name, self.string(name), precision)

    def optional_units(self, name: str, precision: int) -> int | None:
        value = self.optional_string(name)
        return None if value is None else decimal_to_units(name, value, precision)

    def integer(self, name: str) -> int:
        return _to_int(name, self.string(name))

    def optional_integer(self, name: str) -> int | None:
        value = self.optional_string(name)
        return None if value is None else _to_int(name, value)


def decimal_to_units(name: str, text: str, precision: int) -> int:
    """Binance decimal text ("0.0100", "5") to integer units, never through a float.

    Exponents, signs, "1." and ".5" are malformed (-1100), as Binance's legal range says.
    Digits past `precision` are -1111 unless they are all zeros: "0.10000000000" is exactly
    0.1 and loses nothing. More units than a signed 64-bit integer holds is -1108: the
    journal stores commands' integers in 64 bits.
    """
    units = _decimal_units(name, text, precision)
    if units > INT64_MAX:
        raise errors.param_overflow(name)
    return units


def _decimal_units(name: str, text: str, precision: int) -> int:
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise errors.illegal_chars(name, DECIMAL_RANGE)
    whole, fraction = match.group(1), match.group(2)
    scale = _POW10[precision]
    if not fraction:
        return int(whole) * scale
    if len(fraction) > precision:
        if fraction[precision:].strip("0"):
            raise errors.bad_precision(name)
        fraction = fraction[:precision]
        if not fraction:
            return int(whole) * scale
    return int(whole) * scale + int(fraction) * _POW10[precision - len(fraction)]


def _to_int(name: str, text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise errors.illegal_chars(name, INTEGER_RANGE)
    value = int(text)
    if value > INT64_MAX:
        raise errors.param_overflow(name)
    return value


def _check_symbol(name: str, value: str) -> str:
    if not _SYMBOL.fullmatch(value):
        raise errors.illegal_chars(name, SYMBOL_RANGE)
    return value


def ws_text(value: object) -> str:
    """A WebSocket API JSON value as the text it is signed as (true/false, not True)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
