"""Parameters as Binance reads them: raw query and form body, typed getters, exact errors."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetport.api.errors import ApiError
from assetport.api.params import CancelReplaceMode, NewOrderRespType, Params, decimal_to_units
from assetport.domain.orders import (
    CancelRestriction,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)


def error_of(call: object) -> tuple[int, str]:
    assert callable(call)
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code, info.value.msg


def test_query_and_body_are_merged_and_the_query_wins() -> None:
    params = Params.parse(b"symbol=BTCUSDT&side=BUY", b"side=SELL&quantity=1")
    assert params.symbol() == "BTCUSDT"
    assert params.side() is Side.BUY
    assert params.string("quantity") == "1"


def test_percent_and_plus_decoding() -> None:
    params = Params.parse(b"symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D&label=a+b")
    assert params.symbols() == ["BTCUSDT", "ETHUSDT"]
    assert params.string("label") == "a b"


def test_repeated_parameter_is_1101() -> None:
    assert error_of(lambda: Params.parse(b"symbol=A&symbol=B")) == (
        -1101,
        "Duplicate values for a parameter detected.",
    )
    assert error_of(lambda: Params.parse(b"", b"a=1&a=1"))[0] == -1101


def test_non_ascii_is_1100() -> None:
    assert error_of(lambda: Params.parse("symbol=ÄBC".encode()))[0] == -1100


def test_too_many_parameters() -> None:
    raw = "&".join(f"p{i}=1" for i in range(100)).encode()
    assert error_of(lambda: Params.parse(raw)) == (
        -1101,
        "Too many parameters sent for this endpoint.",
    )


def test_mandatory_missing_or_empty_is_1102() -> None:
    params = Params.parse(b"symbol=")
    expected = (-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    assert error_of(params.symbol) == expected
    assert error_of(lambda: Params.parse(b"").side())[0] == -1102


def test_optional_empty_is_1105() -> None:
    params = Params.parse(b"timeInForce=")
    assert error_of(params.time_in_force) == (-1105, "Parameter 'timeInForce' was empty.")
    assert Params.parse(b"").time_in_force() is None


def test_symbol_charset_is_1100() -> None:
    assert error_of(Params.parse(b"symbol=btcusdt").symbol) == (
        -1100,
        "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
    )
    assert error_of(Params.parse(b"symbol=BTC%0A").symbol)[0] == -1100


@pytest.mark.parametrize(
    ("query", "getter", "error"),
    [
        (b"side=buy", Params.side, (-1117, "Invalid side.")),
        (b"type=LIMIT_TAKER", Params.order_type, (-1116, "Invalid orderType.")),
        (b"timeInForce=GTX", Params.time_in_force, (-1115, "Invalid timeInForce.")),
        (
            b"newOrderRespType=ALL",
            Params.new_order_resp_type,
            (-1130, "Data sent for parameter 'newOrderRespType' is not valid."),
        ),
        (
            b"selfTradePreventionMode=SOMETIMES",
            Params.stp_mode,
            (-1130, "Data sent for parameter 'selfTradePreventionMode' is not valid."),
        ),
        (
            b"cancelReplaceMode=MAYBE",
            Params.cancel_replace_mode,
            (-1130, "Data sent for parameter 'cancelReplaceMode' is not valid."),
        ),
        (
            b"cancelRestrictions=ALWAYS",
            Params.cancel_restrictions,
            (-1145, "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED."),
        ),
    ],
)
def test_invalid_enum_values(query: bytes, getter: object, error: tuple[int, str]) -> None:
    params = Params.parse(query)
    assert callable(getter)
    assert error_of(lambda: getter(params)) == error


def test_valid_enum_values() -> None:
    params = Params.parse(
        b"side=SELL&type=STOP_LOSS_LIMIT&timeInForce=FOK&newOrderRespType=ACK"
        b"&selfTradePreventionMode=EXPIRE_BOTH&cancelReplaceMode=ALLOW_FAILURE"
        b"&cancelRestrictions=ONLY_NEW"
    )
    assert params.side() is Side.SELL
    assert params.order_type() is OrderType.STOP_LOSS_LIMIT
    assert params.time_in_force() is TimeInForce.FOK
    assert params.new_order_resp_type() is NewOrderRespType.ACK
    assert params.stp_mode() is SelfTradePrevention.EXPIRE_BOTH
    assert params.cancel_replace_mode() is CancelReplaceMode.ALLOW_FAILURE
    assert params.cancel_restrictions() is CancelRestriction.ONLY_NEW
    params.ensure_all_read()


def test_unread_parameter_is_1104() -> None:
    params = Params.parse(b"symbol=BTCUSDT&reduceOnly=true&timestamp=1")
    params.symbol()
    params.integer("timestamp")
    assert error_of(params.ensure_all_read) == (
        -1104,
        "Not all sent parameters were read; read '2' parameter(s) but was sent '3'.",
    )


def test_param_not_required_is_1106() -> None:
    assert error_of(lambda: Params.parse(b"price=1").ensure_absent("price")) == (
        -1106,
        "Parameter 'price' sent when not required.",
    )


def test_integers() -> None:
    params = Params.parse(b"orderId=42&limit=x1&startTime=-5&fromId=99999999999999999999")
    assert params.integer("orderId") == 42
    assert params.optional_integer("endTime") is None
    assert error_of(lambda: params.integer("limit")) == (
        -1100,
        "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
    )
    assert error_of(lambda: params.integer("startTime"))[0] == -1100
    assert error_of(lambda: params.integer("fromId")) == (-1108, "Parameter 'fromId' overflowed.")


def test_symbols_json_array() -> None:
    assert Params.parse(b"").symbols() is None
    assert Params.parse(b'symbols=["BTCUSDT"]').symbols() == ["BTCUSDT"]
    assert Params.parse(b'symbols=[ "A1", "B2" ]').symbols() == ["A1", "B2"]
    assert error_of(Params.parse(b"symbols=BTCUSDT").symbols)[0] == -1100
    assert error_of(Params.parse(b'symbols=["btc"]').symbols)[0] == -1100
    assert error_of(Params.parse(b'symbols=["A1","A1"]').symbols) == (
        -1151,
        "Symbol is present multiple times in the list.",
    )


def test_client_order_id() -> None:
    ccxt_id = "x-TKT5PX2F" + "0123456789abcdef012345"
    assert Params.parse(f"newClientOrderId={ccxt_id}".encode()).client_order_id() == ccxt_id
    assert Params.parse(b"origClientOrderId=a.b:c/d_e-f").client_order_id("origClientOrderId")
    assert error_of(Params.parse(b"newClientOrderId=" + b"a" * 37).client_order_id) == (
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; "
        "legal range is '^[a-zA-Z0-9-_.:/]{1,36}$'.",
    )
    assert error_of(Params.parse(b"newClientOrderId=a%20b").client_order_id)[0] == -1100


def test_interval() -> None:
    assert Params.parse(b"interval=1M").interval() == "1M"
    assert error_of(Params.parse(b"interval=2m").interval) == (-1120, "Invalid interval.")


def test_units() -> None:
    params = Params.parse(b"quantity=0.0001&price=50000&stopPrice=1.&icebergQty=1e-5")
    assert params.units("quantity", 8) == 10_000
    assert params.units("price", 2) == 5_000_000
    assert params.optional_units("quoteOrderQty", 2) is None
    decimal_range = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
    assert error_of(lambda: params.units("stopPrice", 2)) == (
        -1100,
        f"Illegal characters found in parameter 'stopPrice'; legal range is '{decimal_range}'.",
    )
    assert error_of(lambda: params.units("icebergQty", 8))[0] == -1100


@pytest.mark.parametrize(
    "text", ["1e-5", "1E5", "-1", "+1", ".5", "1.", "0x10", "1,5", " 1", "NaN", "inf", ""]
)
def test_malformed_decimals_are_1100(text: str) -> None:
    with pytest.raises(ApiError) as info:
        decimal_to_units("quantity", text, 8)
    assert info.value.code == -1100


def test_too_much_precision_is_1111_but_trailing_zeros_are_exact() -> None:
    with pytest.raises(ApiError) as info:
        decimal_to_units("quantity", "0.000000001", 8)
    assert (info.value.code, info.value.msg) == (
        -1111,
        "Parameter 'quantity' has too much precision.",
    )
    assert decimal_to_units("quantity", "0.100000000000", 8) == 10_000_000
    assert decimal_to_units("price", "7.000", 0) == 7
    with pytest.raises(ApiError):
        decimal_to_units("price", "7.5", 0)


@given(
    units=st.integers(min_value=0, max_value=2**63 - 1),
    precision=st.integers(min_value=0, max_value=18),
)
def test_exact_decimals_round_trip(units: int, precision: int) -> None:
    text = format(Decimal(units).scaleb(-precision), "f")
    assert decimal_to_units("quantity", text, precision) == units


@given(
    units=st.integers(min_value=2**63, max_value=10**20 - 1),
    precision=st.integers(min_value=0, max_value=18),
)
def test_more_units_than_64_bits_hold_overflow(units: int, precision: int) -> None:
    text = format(Decimal(units).scaleb(-precision), "f")
    with pytest.raises(ApiError) as refused:
        decimal_to_units("quantity", text, precision)
    assert (refused.value.code, refused.value.msg) == (-1108, "Parameter 'quantity' overflowed.")


@given(
    units=st.integers(min_value=1, max_value=10**18),
    precision=st.integers(min_value=0, max_value=17),
    extra=st.integers(min_value=1, max_value=3),
)
def test_digits_past_the_precision_are_refused(units: int, precision: int, extra: int) -> None:
    if units % 10 == 0:
        units += 1  # the last digit must be non-zero to be a real extra digit
    text = format(Decimal(units).scaleb(-(precision + extra)), "f")
    with pytest.raises(ApiError) as info:
        decimal_to_units("price", text, precision)
    assert info.value.code == -1111


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_reprs_are_never_misread(value: float) -> None:
    text = repr(value)
    try:
        units = decimal_to_units("quantity", text, 8)
    except ApiError as error:
        assert error.code in (-1100, -1108, -1111)
    else:
        assert Decimal(units).scaleb(-8) == Decimal(text)


def test_websocket_params() -> None:
    params = Params.from_mapping({"symbol": "BTCUSDT", "timestamp": 1, "flag": True})
    assert params.integer("timestamp") == 1
    assert params.string("flag") == "true"
