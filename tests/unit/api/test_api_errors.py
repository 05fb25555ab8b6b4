"""The error catalogue: exact Binance codes, messages and statuses, and every engine refusal."""

import json

import pytest

from assetport.api import errors
from assetport.api.errors import ApiError, RejectContext, reject_error, reject_spec
from assetport.domain.results import RejectReason


def test_body_is_binance_json() -> None:
    error = errors.BAD_SYMBOL.error()
    assert json.loads(error.body()) == {"code": -1121, "msg": "Invalid symbol."}
    assert error.http_status == 400
    assert str(error) == "-1121 Invalid symbol."


@pytest.mark.parametrize(
    ("error", "code", "msg", "status"),
    [
        (
            errors.UNKNOWN.error(),
            -1000,
            "An unknown error occurred while processing the request.",
            500,
        ),
        (
            errors.UNAUTHORIZED.error(),
            -1002,
            "You are not authorized to execute this request.",
            401,
        ),
        (
            errors.INVALID_TIMESTAMP_WINDOW.error(),
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
            400,
        ),
        (
            errors.INVALID_TIMESTAMP_AHEAD.error(),
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
            400,
        ),
        (errors.INVALID_SIGNATURE.error(), -1022, "Signature for this request is not valid.", 400),
        (
            errors.DUPLICATE_PARAMETER.error(),
            -1101,
            "Duplicate values for a parameter detected.",
            400,
        ),
        (errors.UNKNOWN_PARAM.error(), -1103, "An unknown parameter was sent.", 400),
        (
            errors.TIF_NOT_REQUIRED.error(),
            -1114,
            "TimeInForce parameter sent when not required.",
            400,
        ),
        (errors.INVALID_TIF.error(), -1115, "Invalid timeInForce.", 400),
        (errors.INVALID_ORDER_TYPE.error(), -1116, "Invalid orderType.", 400),
        (errors.INVALID_SIDE.error(), -1117, "Invalid side.", 400),
        (errors.BAD_INTERVAL.error(), -1120, "Invalid interval.", 400),
        (errors.INVALID_LISTEN_KEY.error(), -1125, "This listenKey does not exist.", 400),
        (errors.LOOKUP_INTERVAL_TOO_BIG.error(), -1127, "Lookup interval is too big.", 400),
        (errors.BAD_PARAM_COMBO.error(), -1128, "Combination of optional parameters invalid.", 400),
        (errors.INVALID_PARAMETER.error(), -1130, "Invalid data sent for a parameter.", 400),
        (errors.UNKNOWN_ORDER_SENT.error(), -2011, "Unknown order sent.", 400),
        (errors.NO_SUCH_ORDER.error(), -2013, "Order does not exist.", 400),
        (errors.BAD_API_KEY_FORMAT.error(), -2014, "API-key format invalid.", 401),
        (
            errors.REJECTED_API_KEY.error(),
            -2015,
            "Invalid API-key, IP, or permissions for action.",
            401,
        ),
        (
            errors.ORDER_ARCHIVED.error(),
            -2026,
            "Order was canceled or expired with no executed qty over 90 days ago and has been "
            "archived.",
            400,
        ),
        (
            errors.SUBSCRIPTION_ACTIVE.error(),
            -2035,
            "User Data Stream subscription already active.",
            400,
        ),
        (
            errors.SUBSCRIPTION_INACTIVE.error(),
            -2036,
            "User Data Stream subscription not active.",
            400,
        ),
        (errors.filter_failure("LOT_SIZE"), -1013, "Filter failure: LOT_SIZE", 400),
        (
            errors.illegal_chars("symbol", "^[A-Z0-9-_.]{1,20}$"),
            -1100,
            "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
            400,
        ),
        (
            errors.mandatory_missing("side"),
            -1102,
            "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
            400,
        ),
        (
            errors.one_of_mandatory("orderId", "origClientOrderId"),
            -1102,
            "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
            400,
        ),
        (
            errors.unread_parameters(8, 9),
            -1104,
            "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
            400,
        ),
        (errors.param_empty("price"), -1105, "Parameter 'price' was empty.", 400),
        (
            errors.param_not_required("price"),
            -1106,
            "Parameter 'price' sent when not required.",
            400,
        ),
        (
            errors.bad_precision("quantity"),
            -1111,
            "Parameter 'quantity' has too much precision.",
            400,
        ),
        (
            errors.more_than_hours(24),
            -1127,
            "More than 24 hours between startTime and endTime.",
            400,
        ),
        (
            errors.invalid_parameter("newOrderRespType"),
            -1130,
            "Data sent for parameter 'newOrderRespType' is not valid.",
            400,
        ),
        (
            errors.too_much_weight(6000, "1 MINUTE", retry_after=7),
            -1003,
            "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. "
            "Please use WebSocket Streams for live updates to avoid polling the API.",
            429,
        ),
        (
            errors.ip_banned(1700000120000, 120),
            -1003,
            "Way too much request weight used; IP banned until 1700000120000. "
            "Please use WebSocket Streams for live updates to avoid bans.",
            418,
        ),
        (
            errors.too_many_orders(100, "10 SECOND", 3),
            -1015,
            "Too many new orders; current limit is 100 orders per 10 SECOND.",
            429,
        ),
    ],
)
def test_catalogue(error: ApiError, code: int, msg: str, status: int) -> None:
    assert (error.code, error.msg, error.http_status) == (code, msg, status)


@pytest.mark.parametrize("context", list(RejectContext))
@pytest.mark.parametrize("reason", list(RejectReason))
def test_every_reject_reason_is_mapped_in_every_context(
    reason: RejectReason, context: RejectContext
) -> None:
    spec = reject_spec(reason, context)
    assert spec.code < 0
    assert spec.msg
    assert spec.http_status in (400, 409)


@pytest.mark.parametrize(
    ("reason", "code", "msg"),
    [
        (
            RejectReason.INSUFFICIENT_BALANCE,
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (RejectReason.WOULD_TAKE, -2010, "Order would immediately match and take."),
        (RejectReason.WOULD_TRIGGER_IMMEDIATELY, -2010, "Stop price would trigger immediately."),
        (RejectReason.MARKET_CLOSED, -2010, "Market is closed."),
        (RejectReason.MARKET_CANCEL_ONLY, -2010, "Market is closed."),
        (RejectReason.DUPLICATE_ORDER, -2010, "Duplicate order sent."),
        (RejectReason.UNKNOWN_SYMBOL, -1121, "Invalid symbol."),
        (RejectReason.PRICE_FILTER, -1013, "Filter failure: PRICE_FILTER"),
        (RejectReason.LOT_SIZE, -1013, "Filter failure: LOT_SIZE"),
        (RejectReason.NOTIONAL, -1013, "Filter failure: NOTIONAL"),
        (RejectReason.MAX_NUM_ORDERS, -1013, "Filter failure: MAX_NUM_ORDERS"),
        (RejectReason.ICEBERG_PARTS, -1013, "Filter failure: ICEBERG_PARTS"),
        (
            RejectReason.ICEBERG_NOT_ALLOWED,
            -2010,
            "Iceberg orders are not supported for this symbol.",
        ),
        (
            RejectReason.QUOTE_ORDER_QTY_NOT_ALLOWED,
            -2010,
            "Quote order qty market orders are not support for this symbol.",
        ),
        (RejectReason.INVALID_ORDER, -2010, "Unsupported order combination"),
    ],
)
def test_new_order_refusals(reason: RejectReason, code: int, msg: str) -> None:
    error = reject_error(reason)
    assert (error.code, error.msg, error.http_status) == (code, msg, 400)


@pytest.mark.parametrize(
    ("reason", "code", "msg"),
    [
        (RejectReason.UNKNOWN_ORDER, -2011, "Unknown order sent."),
        (
            RejectReason.CANCEL_RESTRICTED,
            -2011,
            "Order was not canceled due to cancel restrictions.",
        ),
        (RejectReason.MARKET_CLOSED, -2011, "Market is closed."),
        (RejectReason.UNKNOWN_SYMBOL, -1121, "Invalid symbol."),
        (
            RejectReason.INVALID_ORDER,
            -2011,
            "Cancel order is invalid. Check origClOrdId and orderId.",
        ),
    ],
)
def test_cancel_refusals(reason: RejectReason, code: int, msg: str) -> None:
    error = reject_error(reason, RejectContext.CANCEL)
    assert (error.code, error.msg) == (code, msg)


def test_amend_and_admin_refusals() -> None:
    assert reject_error(RejectReason.INVALID_AMEND, RejectContext.AMEND).code == -2038
    assert (
        reject_error(RejectReason.UNKNOWN_ORDER, RejectContext.AMEND).msg == "Unknown order sent."
    )
    assert (
        reject_error(RejectReason.MARKET_CANCEL_ONLY, RejectContext.AMEND).msg
        == "Market is closed."
    )
    reused = reject_error(RejectReason.REFERENCE_REUSED, RejectContext.ADMIN)
    assert (reused.code, reused.http_status) == (-7002, 409)
    assert reject_error(RejectReason.ALREADY_APPLIED, RejectContext.ADMIN).code == -7001
    assert reject_error(RejectReason.ALREADY_LISTED, RejectContext.ADMIN).code == -7003
    broke = reject_error(RejectReason.INSUFFICIENT_BALANCE, RejectContext.ADMIN)
    assert broke.msg == "Account has insufficient balance for requested action."
    assert reject_error(RejectReason.UNKNOWN_ASSET, RejectContext.ADMIN).code == -1130
