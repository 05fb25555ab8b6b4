"""Binance error codes and messages, and the one mapping from engine refusals to them.

Every error the gateway returns is an `ApiError` (`edge/errors.py`): a negative Binance
code, a message and an HTTP status; its body is `{"code": ..., "msg": ...}`. Every code the
gateway answers with is named here; nothing else makes one up.
ccxt matches the exact message before the code (docs/binance-api.md, "Errors and their
messages"), so messages are copied byte for byte from Binance's errors page.

What Binance lacks (operator listings, deposits and withdrawals by reference, NFT media) gets
codes in -7000..-7199, a range Binance spot does not use.
"""

from enum import StrEnum
from typing import Final

from assetport.domain.results import RejectReason

# The type and the catalogue's base live on the floor the accounts share (edge/errors.py).
from assetport.edge.errors import UNKNOWN as UNKNOWN
from assetport.edge.errors import ApiError as ApiError
from assetport.edge.errors import ErrorSpec as ErrorSpec
from assetport.store.history import Refusal

# -- 10xx general ------------------------------------------------------------------------

DISCONNECTED: Final = ErrorSpec(
    -1001, "Internal error; unable to process your request. Please try again.", 503
)
# GET /api/v1/health while the SQL read model has stopped (api/rest_health.py).
READ_MODEL_STOPPED: Final = ErrorSpec(
    -1001, "The history has stopped following the engine; trading goes on.", 503
)
# The engine took the command but its answer never came back (the connection to the engine
# process was lost, a failover): it may or may not have been applied. As Binance's, the
# client must not take it for a failure: query the order (by its client order id) first.
OUTCOME_UNKNOWN: Final = ErrorSpec(
    -1007,
    "Timeout waiting for response from backend server. Send status unknown; "
    "execution status unknown.",
    503,
)
# GET /api/v1/health while a gateway over the command port reaches no primary engine.
ENGINE_UNREACHABLE: Final = ErrorSpec(
    -1001, "The engine cannot be reached; orders are not taken until it is.", 503
)
UNAUTHORIZED: Final = ErrorSpec(-1002, "You are not authorized to execute this request.", 401)
TOO_MANY_REQUESTS_QUEUED: Final = ErrorSpec(-1003, "Too many requests queued.", 429)
INVALID_TIMESTAMP_WINDOW: Final = ErrorSpec(
    -1021, "Timestamp for this request is outside of the recvWindow."
)
INVALID_TIMESTAMP_AHEAD: Final = ErrorSpec(
    -1021, "Timestamp for this request was 1000ms ahead of the server's time."
)
INVALID_SIGNATURE: Final = ErrorSpec(-1022, "Signature for this request is not valid.")

# -- 11xx request issues -----------------------------------------------------------------

TOO_MANY_PARAMETERS: Final = ErrorSpec(-1101, "Too many parameters sent for this endpoint.")
DUPLICATE_PARAMETER: Final = ErrorSpec(-1101, "Duplicate values for a parameter detected.")
MANDATORY_PARAM_EMPTY: Final = ErrorSpec(
    -1102, "A mandatory parameter was not sent, was empty/null, or malformed."
)
UNKNOWN_PARAM: Final = ErrorSpec(-1103, "An unknown parameter was sent.")
PARAM_EMPTY: Final = ErrorSpec(-1105, "A parameter was empty.")
PARAM_NOT_REQUIRED: Final = ErrorSpec(-1106, "A parameter was sent when not required.")
TIF_NOT_REQUIRED: Final = ErrorSpec(-1114, "TimeInForce parameter sent when not required.")
INVALID_TIF: Final = ErrorSpec(-1115, "Invalid timeInForce.")
INVALID_ORDER_TYPE: Final = ErrorSpec(-1116, "Invalid orderType.")
INVALID_SIDE: Final = ErrorSpec(-1117, "Invalid side.")
BAD_INTERVAL: Final = ErrorSpec(-1120, "Invalid interval.")
BAD_SYMBOL: Final = ErrorSpec(-1121, "Invalid symbol.")
INVALID_LISTEN_KEY: Final = ErrorSpec(-1125, "This listenKey does not exist.")
LOOKUP_INTERVAL_TOO_BIG: Final = ErrorSpec(-1127, "Lookup interval is too big.")
BAD_PARAM_COMBO: Final = ErrorSpec(-1128, "Combination of optional parameters invalid.")
INVALID_PARAMETER: Final = ErrorSpec(-1130, "Invalid data sent for a parameter.")
INVALID_CANCEL_RESTRICTIONS: Final = ErrorSpec(
    -1145, "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED."
)
DUPLICATE_SYMBOLS: Final = ErrorSpec(-1151, "Symbol is present multiple times in the list.")
# An OCO whose above and below orders are on the wrong sides (api/rest_order_lists.py).
OCO_BUY_STOP_LOSS_ABOVE: Final = ErrorSpec(-1196, "A stop loss order in a buy OCO must be above.")
OCO_SELL_STOP_LOSS_BELOW: Final = ErrorSpec(-1197, "A stop loss order in a sell OCO must be below.")
OCO_BUY_TAKE_PROFIT_BELOW: Final = ErrorSpec(
    -1198, "A take profit order in a buy OCO must be below."
)
OCO_SELL_TAKE_PROFIT_ABOVE: Final = ErrorSpec(
    -1199, "A take profit order in a sell OCO must be above."
)
UNSUPPORTED_ORDER_COMBINATION: Final = ErrorSpec(-1014, "Unsupported order combination.")

# -- 20xx trading ------------------------------------------------------------------------

UNKNOWN_ORDER_SENT: Final = ErrorSpec(-2011, "Unknown order sent.")
NO_SUCH_ORDER: Final = ErrorSpec(-2013, "Order does not exist.")
BAD_API_KEY_FORMAT: Final = ErrorSpec(-2014, "API-key format invalid.", 401)
REJECTED_API_KEY: Final = ErrorSpec(-2015, "Invalid API-key, IP, or permissions for action.", 401)
ORDER_ARCHIVED: Final = ErrorSpec(
    -2026,
    "Order was canceled or expired with no executed qty over 90 days ago and has been archived.",
)
SUBSCRIPTION_ACTIVE: Final = ErrorSpec(-2035, "User Data Stream subscription already active.")
SUBSCRIPTION_INACTIVE: Final = ErrorSpec(-2036, "User Data Stream subscription not active.")
# cancelReplace's answers carry both legs' outcomes in a `data` object (rest_trade.py).
CANCEL_REPLACE_PARTIALLY_FAILED: Final = ErrorSpec(
    -2021, "Order cancel-replace partially failed.", 409
)
CANCEL_REPLACE_FAILED: Final = ErrorSpec(-2022, "Order cancel-replace failed.")

# -- the HTTP and WebSocket layers ---------------------------------------------------------------

UNKNOWN_ENDPOINT: Final = ErrorSpec(-1000, "Unknown endpoint.", 404)
METHOD_NOT_ALLOWED: Final = ErrorSpec(-1000, "Method not allowed for this endpoint.", 405)
MALFORMED_REQUEST: Final = ErrorSpec(-1000, "Malformed HTTP request.", 400)
ILLEGAL_CHARACTERS: Final = ErrorSpec(-1100, "Illegal characters found in a parameter.")
REPEATED_API_KEY: Final = ErrorSpec(
    -1101, "Duplicate values for a parameter detected: send one X-MBX-APIKEY header."
)
WS_MALFORMED: Final = ErrorSpec(-1102, "Malformed request: expected {id, method, params}.")
# `X-MBX-TIME-UNIT` (REST) or `timeUnit` (WebSocket API and streams) other than Binance's four.
INVALID_TIME_UNIT: Final = ErrorSpec(
    -1194, "Invalid value for time unit; expected either MICROSECOND or MILLISECOND."
)
HMAC_NOT_SUPPORTED: Final = ErrorSpec(-4056, "HMAC_SHA256 API key is not supported.")

# -- the FIX API (api/fix/): Binance's session errors, -1169..-1188 ------------------------

UNSUPPORTED_OPERATION: Final = ErrorSpec(-1020, "This operation is not supported.")
FIX_INVALID_TAG: Final = ErrorSpec(-1169, "Invalid tag number.")
FIX_RESET_SEQ_NUM: Final = ErrorSpec(
    -1175,
    "Continuation of sequence numbers to new session is currently unsupported. Sequence "
    "numbers must be reset for each new session.",
)
FIX_ALREADY_LOGGED_IN: Final = ErrorSpec(-1176, "Logon<A> should only be sent once.")
FIX_BAD_CHECKSUM: Final = ErrorSpec(-1177, "CheckSum(10) contains an incorrect value.")
FIX_BEGIN_STRING_FIRST: Final = ErrorSpec(
    -1177, "BeginString (8) is not the first tag in a message."
)
FIX_MSG_TYPE_THIRD: Final = ErrorSpec(-1177, "MsgType (35) is not the third tag in a message.")
FIX_BAD_BODY_LENGTH: Final = ErrorSpec(
    -1177, "BodyLength (9) does not contain the correct byte count."
)
FIX_NOT_PRINTABLE: Final = ErrorSpec(
    -1177, "Only printable ASCII characters and SOH (Start of Header) are allowed."
)
FIX_BAD_SENDER_COMP_ID: Final = ErrorSpec(
    -1178,
    "SenderCompId(49) contains an incorrect value. The SenderCompID value should not change "
    "throughout the lifetime of a session.",
)
FIX_EXPECTED_LOGON: Final = ErrorSpec(-1180, "Logon<A> must be the first message in the session.")
FIX_NOT_IN_DROP_COPY: Final = ErrorSpec(
    -1183, "Requested operation is not allowed in DropCopy sessions."
)
FIX_DROP_COPY_NOT_ALLOWED: Final = ErrorSpec(
    -1184,
    "DropCopy sessions are not supported on this server. Please reconnect to a drop copy server.",
)
FIX_DROP_COPY_REQUIRED: Final = ErrorSpec(
    -1185,
    "Only DropCopy sessions are supported on this server. Either reconnect to order entry "
    "server or send DropCopyFlag (9406) field.",
)

# -- operator and sandbox endpoints (-7xxx: see above) -----------------------------------------

BODY_NOT_JSON: Final = ErrorSpec(-1130, "The body is not valid JSON.")
BODY_NOT_OBJECT: Final = ErrorSpec(-1130, "The body must be a JSON object.")
NO_ACCOUNT_FOR_EMAIL: Final = ErrorSpec(-1130, "No account has this email address.", 404)
FAUCET_ALREADY_GIVEN: Final = ErrorSpec(-7005, "Test funds were already given this hour.", 429)


# -- messages with a parameter -------------------------------------------------------------


def too_much_weight(limit: int, per: str, http_status: int = 429, retry_after: int = 1) -> ApiError:
    """-1003 when an IP used up its request weight; `per` like "1 MINUTE"."""
    return ApiError(
        -1003,
        f"Too much request weight used; current limit is {limit} request weight per {per}. "
        "Please use WebSocket Streams for live updates to avoid polling the API.",
        http_status,
        retry_after,
    )


def ip_banned(until_ms: int, retry_after: int) -> ApiError:
    """-1003 with 418: an IP that kept sending after 429s, banned until `until_ms`."""
    return ApiError(
        -1003,
        f"Way too much request weight used; IP banned until {until_ms}. "
        "Please use WebSocket Streams for live updates to avoid bans.",
        418,
        retry_after,
    )


def too_many_orders(limit: int, per: str, retry_after: int) -> ApiError:
    """-1015 when an account placed too many orders in a window; `per` like "10 SECOND"."""
    return ApiError(
        -1015,
        f"Too many new orders; current limit is {limit} orders per {per}.",
        429,
        retry_after,
    )


def filter_failure(filter_type: str) -> ApiError:
    """-1013 "Filter failure: LOT_SIZE" and the like."""
    return ApiError(-1013, f"Filter failure: {filter_type}")


def illegal_chars(name: str, legal_range: str) -> ApiError:
    return ApiError(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'."
    )


def too_many_parameters(expected: int, received: int) -> ApiError:
    return ApiError(-1101, f"Too many parameters; expected '{expected}' and received '{received}'.")


def mandatory_missing(name: str) -> ApiError:
    return ApiError(
        -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    )


def one_of_mandatory(first: str, second: str) -> ApiError:
    return ApiError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def fix_required_tag_missing(tag: str) -> ApiError:
    """The FIX API's -1102: `tag` like "ClOrdID (11)"."""
    return ApiError(-1102, f"Required tag '{tag}' missing.")


def fix_tag_not_defined(tag: int) -> ApiError:
    return ApiError(-1170, f"Tag '{tag}' not defined for this message type.")


def fix_tag_repeated(tag: int) -> ApiError:
    return ApiError(-1171, f"Tag '{tag}' appears more than once.")


def fix_bad_seq_num(expected: int) -> ApiError:
    return ApiError(-1179, f"MsgSeqNum(34) contains an unexpected value. Expected: '{expected}'.")


def fix_too_many_messages(limit: int, per: str) -> ApiError:
    return ApiError(-1181, f"Too many messages; current limit is '{limit}' messages per '{per}'.")


def greater_than_allowed(name: str, maximum: str) -> ApiError:
    return ApiError(
        -1102, f"'{name}' contains unexpected value. Cannot be greater than '{maximum}'."
    )


def unread_parameters(read: int, sent: int) -> ApiError:
    return ApiError(
        -1104,
        f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'.",
    )


def param_empty(name: str) -> ApiError:
    return ApiError(-1105, f"Parameter '{name}' was empty.")


def param_not_required(name: str) -> ApiError:
    return ApiError(-1106, f"Parameter '{name}' sent when not required.")


def param_overflow(name: str) -> ApiError:
    return ApiError(-1108, f"Parameter '{name}' overflowed.")


def bad_precision(name: str) -> ApiError:
    return ApiError(-1111, f"Parameter '{name}' has too much precision.")


def more_than_hours(hours: int) -> ApiError:
    return ApiError(-1127, f"More than {hours} hours between startTime and endTime.")


def must_be_sent_together(*names: str) -> ApiError:
    return ApiError(
        -1128, f"Fields [{', '.join(names)}] must be sent together or omitted entirely."
    )


def invalid_parameter(name: str) -> ApiError:
    return ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")


def invalid_data(detail: str) -> ApiError:
    """-1130 naming what was wrong (a market data parameter out of its range)."""
    return ApiError(-1130, f"Invalid data sent for a parameter: {detail}")


def invalid_request(msg: str) -> ApiError:
    """-1130 with the reason an operator's request was refused (a user name taken...)."""
    return ApiError(-1130, msg)


def illegal_address(reason: str) -> ApiError:
    """Binance's -4033 "Illegal address.", saying what is wrong with it."""
    return ApiError(-4033, f"Illegal address: {reason}.")


def not_on_chain(coin: str, network: str) -> ApiError:
    """-1130 for a coin that is listed but neither deposited nor withdrawn on `network`."""
    return ApiError(
        -1130, f"Data sent for parameter 'coin' is not valid: {coin} is not on {network}."
    )


def unknown_network(network: str) -> ApiError:
    return ApiError(
        -1130, f"Data sent for parameter 'network' is not valid: the only network is {network}."
    )


def invalid_key_request(detail: str) -> ApiError:
    return ApiError(-1130, f"Invalid API key request: {detail}")


def unknown_method(name: str) -> ApiError:
    """The WebSocket API's answer to a method it does not have."""
    return ApiError(-1100, f"Unknown method '{name}'.")


# -- the transport's limits (api/transport_limits.py) --------------------------------------------


def url_too_long(max_bytes: int) -> ApiError:
    return ApiError(-1101, f"Request URL too long; the limit is {max_bytes} bytes.", 414)


def headers_too_large(max_bytes: int, max_headers: int) -> ApiError:
    return ApiError(
        -1000,
        f"Request headers too large; the limit is {max_bytes} bytes "
        f"in at most {max_headers} headers.",
        431,
    )


def body_too_large(max_bytes: int) -> ApiError:
    return ApiError(-1101, f"Request body too large; the limit is {max_bytes} bytes.", 413)


def too_many_connections(limit: int) -> ApiError:
    """Binance's -1034 TOO_MANY_CONNECTIONS."""
    return ApiError(-1034, f"Too many concurrent connections; current limit is '{limit}'.", 429)


def request_timeout(seconds: float) -> ApiError:
    return ApiError(-1000, f"Request not received within {seconds:g} seconds.", 408)


def new_order_rejected(msg: str) -> ApiError:
    return ApiError(-2010, msg)


def cancel_rejected(msg: str) -> ApiError:
    return ApiError(-2011, msg)


# -- engine refusals -------------------------------------------------------------------------


class RejectContext(StrEnum):
    """What the refused command was: the same reason reads differently per context."""

    NEW_ORDER = "NEW_ORDER"
    CANCEL = "CANCEL"
    AMEND = "AMEND"
    ADMIN = "ADMIN"
    DUST = "DUST"
    WITHDRAW = "WITHDRAW"
    ISSUANCE = "ISSUANCE"
    NFT = "NFT"


# Binance's engine messages (errors page, "Messages for -1010, -2010 and -2011").
MSG_INSUFFICIENT_BALANCE: Final = "Account has insufficient balance for requested action."
MSG_WOULD_TAKE: Final = "Order would immediately match and take."
# The brief and ccxt's exact-message table use this text; Binance's errors page lists
# "Order would trigger immediately." for the same case. ccxt maps both to
# OrderImmediatelyFillable, so clients see the same exception either way.
MSG_WOULD_TRIGGER: Final = "Stop price would trigger immediately."
MSG_MARKET_CLOSED: Final = "Market is closed."
MSG_DUPLICATE_ORDER: Final = "Duplicate order sent."
# An order list whose legs' prices break Binance's rule (docs/trading-rules.md#order-lists).
MSG_PRICE_RELATIONSHIP: Final = "The relationship of the prices for the orders is not correct."
MSG_UNKNOWN_ORDER: Final = "Unknown order sent."
MSG_UNSUPPORTED_COMBINATION: Final = "Unsupported order combination"  # sic: no full stop
MSG_ICEBERG_NOT_SUPPORTED: Final = "Iceberg orders are not supported for this symbol."
MSG_QUOTE_QTY_NOT_SUPPORTED: Final = (
    "Quote order qty market orders are not support for this symbol."  # sic: Binance's text
)
MSG_CANCEL_RESTRICTED: Final = "Order was not canceled due to cancel restrictions."
# Binance's STP FAQ: a mode not in the symbol's allowedSelfTradePreventionModes is -1013.
MSG_STP_NOT_ALLOWED: Final = "This symbol does not allow the specified self-trade prevention mode."
MSG_CANCEL_INVALID: Final = "Cancel order is invalid. Check origClOrdId and orderId."
MSG_AMEND_INVALID: Final = (
    "Order amend rejected: newQty must be below the order's quantity, above its executed "
    "quantity and a multiple of the step size."
)

_R = RejectReason

# Binance's wallet code with its engine's message: ccxt maps the message to InsufficientFunds
# wherever the server is, the code only for binance.com's own hosts.
WITHDRAW_INSUFFICIENT_BALANCE: Final = ErrorSpec(-4026, MSG_INSUFFICIENT_BALANCE)

# Assetport's own codes for what Binance spot has no word for (operator and transfer
# commands); 409 where the request conflicts with something already done.
ALREADY_APPLIED: Final = ErrorSpec(-7001, "Transfer already applied; nothing changed.", 409)
REFERENCE_REUSED: Final = ErrorSpec(
    -7002, "Transfer reference already used for a different transfer.", 409
)
ALREADY_LISTED: Final = ErrorSpec(-7003, "Already listed.", 409)
AMOUNT_TOO_LARGE: Final = ErrorSpec(
    -7006, "Amount too large: the asset's total supply would pass what the ledger can record."
)
STP_DEFAULT_NOT_ALLOWED: Final = ErrorSpec(
    -7007, "A market whose default self-trade prevention mode is NONE must allow NONE."
)
# Small balances (domain/dust.py): Binance's wallet codes for them are not spot's.
NOT_DUST: Final = ErrorSpec(
    -7008, "This balance is not small: it can be sold with an order of its own."
)
NO_DUST_PRICE: Final = ErrorSpec(-7009, "No market prices this asset in the target asset yet.")
CONVERSION_UNAVAILABLE: Final = ErrorSpec(
    -7010, "Small balances cannot be converted right now; try again later.", 409
)

# Proof of reserves (api/rest_reserves.py).
NO_PROOF_OF_RESERVES: Final = ErrorSpec(-7011, "No proof of reserves has been published yet.", 404)
NOT_IN_PROOF_OF_RESERVES: Final = ErrorSpec(
    -7012, "This account is not in the published proof of reserves: it opened after it.", 404
)

# Custody (domain/custody.py): withdrawals, their rules and the address books.
WITHDRAWALS_CLOSED: Final = ErrorSpec(
    -7020, "Withdrawals of this asset on this network are closed."
)
BELOW_WITHDRAWAL_MINIMUM: Final = ErrorSpec(
    -7021, "The amount is below this network's minimum withdrawal."
)
ADDRESS_NOT_IN_BOOK: Final = ErrorSpec(
    -7022, "This address is not in the account's withdrawal address book: add it first."
)
ADDRESS_IN_COOLDOWN: Final = ErrorSpec(
    -7023, "This address was added recently: it can be used once its cooldown ends."
)
ADDRESS_ALREADY_IN_BOOK: Final = ErrorSpec(
    -7024, "This address is in the withdrawal address book already.", 409
)
TOO_MANY_ADDRESSES: Final = ErrorSpec(
    -7025, "The withdrawal address book is full: remove an address first."
)
DAILY_WITHDRAWAL_LIMIT: Final = ErrorSpec(
    -7026, "The amount would pass the account's 24-hour withdrawal limit."
)
UNKNOWN_WITHDRAWAL: Final = ErrorSpec(-7027, "Unknown withdrawal.")
WITHDRAWAL_NOT_ALLOWED_NOW: Final = ErrorSpec(
    -7028, "The withdrawal cannot do that from its current status.", 409
)
ALREADY_APPROVED: Final = ErrorSpec(-7029, "This operator approved the withdrawal already.", 409)
# Issuance (domain/issuance/): -7060..-7081.
NOT_AN_RWA_TOKEN: Final = ErrorSpec(
    -7060, "This asset is not a real-world-asset token of that issuer with terms set."
)
INVALID_RWA_TERMS: Final = ErrorSpec(
    -7061, "The token's terms or the attestor's key are not valid."
)
UNKNOWN_ATTESTOR: Final = ErrorSpec(-7062, "This attestor's key is not registered for the issuer.")
BAD_ATTESTATION_SIGNATURE: Final = ErrorSpec(
    -7063, "The attestation's signature does not verify with the attestor's key."
)
INCONSISTENT_ATTESTATION: Final = ErrorSpec(
    -7064, "The attestation's lots, total or time are not consistent."
)
EXCEEDS_RESERVE: Final = ErrorSpec(-7065, "The supply would exceed the attested reserve.")
NO_HOLDERS: Final = ErrorSpec(-7066, "The token has no holders to pay.")
SUBSCRIPTION_CLOSED: Final = ErrorSpec(-7067, "Subscriptions to this token are closed.")
BELOW_ISSUER_MINIMUM: Final = ErrorSpec(
    -7068, "The amount is below the issuer's minimum for a subscription or a redemption."
)
UNKNOWN_REDEMPTION: Final = ErrorSpec(-7069, "Unknown redemption.")
REDEMPTION_NOT_PENDING: Final = ErrorSpec(
    -7070, "The redemption is no longer pending: it was completed, rejected or canceled.", 409
)
INVALID_BAR_ALLOCATION: Final = ErrorSpec(
    -7071, "The redemption cannot be delivered so: whole free bars of the latest attestation only."
)
NOT_A_CARBON_CREDIT: Final = ErrorSpec(-7072, "Only carbon credits can be retired.")
INVALID_RWA_TRANSFER: Final = ErrorSpec(
    -7073, "The transfer's kind, accounts, amount or reason do not fit together."
)
# Permissioned tokens (who may hold them, lock-ups, frozen holdings).
NOT_ELIGIBLE: Final = ErrorSpec(
    -7074, "The account may not hold this token, or may not send it (the token's holder rules)."
)
HOLDER_LIMIT: Final = ErrorSpec(
    -7075, "The token's number of holders or a holder's most would be passed."
)
LOCKED_UP: Final = ErrorSpec(-7076, "This token may not change hands before its lock-up ends.")
NOT_FROZEN: Final = ErrorSpec(-7077, "Less than that is frozen in this holding.")
# The public asset endpoints (api/rest_assets.py): a code that is no token is -7060's 404.
UNKNOWN_RWA_TOKEN: Final = ErrorSpec(-7060, "This asset is not a real-world-asset token.", 404)
UNKNOWN_ATTESTATION: Final = ErrorSpec(-7078, "No such attestation of this asset.", 404)
UNKNOWN_CERTIFICATE: Final = ErrorSpec(-7079, "Unknown retirement certificate.", 404)
UNKNOWN_DOCUMENT: Final = ErrorSpec(-7081, "There is no document with that SHA-256 here.", 404)
# An issuer agent's token (edge/issuer_agents.py) on another issuer's token or treasury.
NOT_THE_AGENTS_ISSUER: Final = ErrorSpec(
    -7080, "An issuer's agent acts for its own issuer only: this token or issuer is another's.", 403
)
# NFT media (edge/nft_media.py, api/rest_nft_media.py): -7100..-7109.
NFT_MEDIA_TOO_LARGE: Final = ErrorSpec(-7100, "The media file is too large: at most 10 MiB.", 413)
NFT_MEDIA_EMPTY: Final = ErrorSpec(-7101, "The media file is empty: send the image as the body.")
NFT_MEDIA_NOT_ALLOWED: Final = ErrorSpec(
    -7101, "Only PNG, JPEG, GIF and WebP images are accepted, told by their bytes.", 415
)
NFT_MEDIA_DISGUISED: Final = ErrorSpec(
    -7102, "The file's declared type or name says another kind of file than its bytes."
)
NFT_MEDIA_DAMAGED: Final = ErrorSpec(-7103, "The image's header is damaged or cut short.")
NFT_MEDIA_DIMENSIONS: Final = ErrorSpec(
    -7104, "The image's sides must be 1 to 8192 pixels, and at most 40000000 pixels in all."
)
UNKNOWN_NFT_MEDIA: Final = ErrorSpec(-7105, "There is no NFT media with that SHA-256 here.", 404)
# The NFT marketplace (domain/nft/, engine/nft/): -7110..-7139.
UNKNOWN_COLLECTION: Final = ErrorSpec(-7110, "Unknown NFT collection.")
COLLECTION_EXISTS: Final = ErrorSpec(-7111, "A collection with this code exists already.", 409)
INVALID_COLLECTION: Final = ErrorSpec(
    -7112, "The collection's code, name, cover, royalty or currency is not valid."
)
NOT_THE_CREATOR: Final = ErrorSpec(-7113, "Only the collection's creator may do this.")
INVALID_NFT_ITEM: Final = ErrorSpec(-7114, "An item's token id, supply or metadata is not valid.")
TOKEN_ID_TAKEN: Final = ErrorSpec(-7115, "This token id is minted already in the collection.", 409)
UNKNOWN_NFT_ITEM: Final = ErrorSpec(-7116, "Unknown item: no such token id in the collection.")
NFT_NOT_HELD: Final = ErrorSpec(
    -7117,
    "This account does not hold that many free units of the item (listed or auctioned"
    " units are not free).",
)
INVALID_NFT_TERMS: Final = ErrorSpec(
    -7118,
    "The quantity, price, times or other terms are not valid for this listing, offer or auction.",
)
UNKNOWN_NFT_LISTING: Final = ErrorSpec(
    -7119, "Unknown listing: it sold out, was canceled or expired."
)
UNKNOWN_NFT_OFFER: Final = ErrorSpec(-7120, "Unknown offer: it was filled, canceled or expired.")
UNKNOWN_NFT_AUCTION: Final = ErrorSpec(-7121, "Unknown auction: it ended or never was.")
NFT_SELF_TRADE: Final = ErrorSpec(
    -7122, "An account cannot buy its own listing, accept its own offer or bid in its own auction."
)
NFT_PRICE_CHANGED: Final = ErrorSpec(-7123, "The price sent is not the listing's price.", 409)
ITEM_NOT_IN_OFFER: Final = ErrorSpec(
    -7124, "This item is not one the offer asks for (its item, collection or trait)."
)
AUCTION_NOT_OPEN: Final = ErrorSpec(-7125, "The auction has not started yet, or it has ended.", 409)
BID_TOO_LOW: Final = ErrorSpec(
    -7126, "The bid is below the start price, the minimum raise or the current price."
)
AUCTION_HAS_BIDS: Final = ErrorSpec(
    -7127, "An auction with a bid cannot be canceled: it runs to its end.", 409
)
TOO_MANY_NFT_ORDERS: Final = ErrorSpec(
    -7128, "Too many open listings, offers and auctions (or collections) for this account."
)
# Primary sales (engine/nft/drops.py): -7135..-7137.
UNKNOWN_NFT_DROP: Final = ErrorSpec(-7135, "Unknown drop: no such primary sale is running.")
DROP_NOT_OPEN: Final = ErrorSpec(
    -7136, "The drop is not open: its window has not begun or has ended.", 409
)
DROP_LIMIT: Final = ErrorSpec(
    -7137,
    "The drop takes no more from this account: past its cap per account, sold out, or an"
    " account of the platform's own.",
)
# Items to and from the chain (custody/nft_sender.py, custody/rest_nft_chain.py): -7132..-7134.
UNKNOWN_NFT_WITHDRAWAL: Final = ErrorSpec(-7132, "Unknown NFT withdrawal: none such is pending.")
NFT_NOT_ON_CHAIN: Final = ErrorSpec(
    -7133, "More units of this item than are out on the chain cannot come back from it."
)
NFT_NETWORK_UNKNOWN: Final = ErrorSpec(
    -7134, "Items are withdrawn on this exchange's own chain network only."
)
# The public NFT market's reads (api/rest_nft_market.py): what a path names and is not there
# is a 404, with the engine's code for it (its refusals of commands stay 400).
NFT_COLLECTION_NOT_FOUND: Final = ErrorSpec(-7110, "Unknown NFT collection.", 404)
NFT_ITEM_NOT_FOUND: Final = ErrorSpec(
    -7116, "Unknown item: no such token id in the collection.", 404
)
NFT_AUCTION_NOT_FOUND: Final = ErrorSpec(-7121, "Unknown auction: it ended or never was.", 404)
# The NFT marketplace's signed endpoints and quotes (api/rest_nft_trade.py), not the engine's.
ROYALTY_SPLITS_NOT_SUMMING: Final = ErrorSpec(
    -1130, "Data sent for parameter 'royaltySplits' is not valid: royaltySplits must sum to"
    " royaltyBps.",
)  # fmt: skip
NFT_QUOTE_SOURCE: Final = ErrorSpec(
    -7129, "Send exactly one of listingId, offerId or auctionId (an auction's with price)."
)
# The wallet endpoints (custody/rest_capital.py): Binance's own wallet codes where it has one.
UNKNOWN_COIN: Final = ErrorSpec(-4018, "We don't have this asset.")
# Binance's -4047 text, copied as it is; the 7-day window of withdrawOrderId is said in ours.
WINDOW_OVER_90_DAYS: Final = ErrorSpec(-4047, "Time interval must be within 0-90 days")
WINDOW_OVER_7_DAYS: Final = ErrorSpec(
    -4047, "Time interval must be within 0-7 days when withdrawOrderId is sent"
)
TOO_MANY_IDS: Final = ErrorSpec(
    -1130, "Data sent for parameter 'idList' is not valid: at most 45 ids."
)
TOTP_REQUIRED: Final = ErrorSpec(
    -7030, "This account has two-factor authentication on: send the current code as totp.", 401
)
TOTP_INVALID: Final = ErrorSpec(-7031, "The two-factor code (totp) is not valid.", 401)
CHAIN_UNAVAILABLE: Final = ErrorSpec(
    -7032, "The chain node cannot be reached right now; try again later.", 503
)
CHAIN_FAUCET_ALREADY_GIVEN: Final = ErrorSpec(
    -7005, "Test funds of this coin were sent less than a minute ago.", 429
)

_NEW_ORDER: Final[dict[RejectReason, ErrorSpec]] = {
    _R.UNKNOWN_SYMBOL: BAD_SYMBOL,
    _R.MARKET_CLOSED: ErrorSpec(-2010, MSG_MARKET_CLOSED),
    _R.MARKET_CANCEL_ONLY: ErrorSpec(-2010, MSG_MARKET_CLOSED),
    _R.INVALID_ORDER: ErrorSpec(-2010, MSG_UNSUPPORTED_COMBINATION),
    _R.PRICE_FILTER: ErrorSpec(-1013, "Filter failure: PRICE_FILTER"),
    _R.LOT_SIZE: ErrorSpec(-1013, "Filter failure: LOT_SIZE"),
    _R.NOTIONAL: ErrorSpec(-1013, "Filter failure: NOTIONAL"),
    _R.MAX_NUM_ORDERS: ErrorSpec(-1013, "Filter failure: MAX_NUM_ORDERS"),
    _R.ICEBERG_PARTS: ErrorSpec(-1013, "Filter failure: ICEBERG_PARTS"),
    _R.ICEBERG_NOT_ALLOWED: ErrorSpec(-2010, MSG_ICEBERG_NOT_SUPPORTED),
    _R.QUOTE_ORDER_QTY_NOT_ALLOWED: ErrorSpec(-2010, MSG_QUOTE_QTY_NOT_SUPPORTED),
    _R.WOULD_TAKE: ErrorSpec(-2010, MSG_WOULD_TAKE),
    _R.WOULD_TRIGGER_IMMEDIATELY: ErrorSpec(-2010, MSG_WOULD_TRIGGER),
    _R.DUPLICATE_ORDER: ErrorSpec(-2010, MSG_DUPLICATE_ORDER),
    _R.PRICE_RELATIONSHIP: ErrorSpec(-2010, MSG_PRICE_RELATIONSHIP),
    _R.INVALID_ORDER_LIST: UNSUPPORTED_ORDER_COMBINATION,
    _R.STP_MODE_NOT_ALLOWED: ErrorSpec(-1013, MSG_STP_NOT_ALLOWED),
    _R.INSUFFICIENT_BALANCE: ErrorSpec(-2010, MSG_INSUFFICIENT_BALANCE),
    # A cancel-replace whose cancel leg failed reports the cancel's reason as a new order's.
    _R.UNKNOWN_ORDER: ErrorSpec(-2011, MSG_UNKNOWN_ORDER),
    _R.CANCEL_RESTRICTED: ErrorSpec(-2011, MSG_CANCEL_RESTRICTED),
    _R.INVALID_AMEND: ErrorSpec(-2010, MSG_UNSUPPORTED_COMBINATION),
    # Reasons of operator commands cannot come from a client's order; if one ever does,
    # it says what the engine said rather than a made-up order message.
    _R.UNKNOWN_ASSET: ErrorSpec(-1130, "Data sent for parameter 'asset' is not valid."),
    _R.INVALID_AMOUNT: ErrorSpec(-1130, "Data sent for parameter 'amount' is not valid."),
    _R.ALREADY_APPLIED: ALREADY_APPLIED,
    _R.REFERENCE_REUSED: REFERENCE_REUSED,
    _R.ALREADY_LISTED: ALREADY_LISTED,
    _R.INVALID_LISTING: ErrorSpec(-1130, "Data sent for parameter 'listing' is not valid."),
    _R.INVALID_FEE: ErrorSpec(-1130, "Data sent for parameter 'fee' is not valid."),
    _R.AMOUNT_TOO_LARGE: AMOUNT_TOO_LARGE,
    # The engine refuses orders from the platform's own accounts (external, fees).
    _R.INVALID_ACCOUNT: ErrorSpec(-2010, "This account may not place or cancel orders."),
    _R.NOT_DUST: NOT_DUST,
    _R.NO_PRICE: NO_DUST_PRICE,
    _R.CONVERSION_UNAVAILABLE: CONVERSION_UNAVAILABLE,
    _R.WITHDRAWALS_CLOSED: WITHDRAWALS_CLOSED,
    _R.BELOW_MINIMUM: BELOW_WITHDRAWAL_MINIMUM,
    _R.ADDRESS_NOT_IN_BOOK: ADDRESS_NOT_IN_BOOK,
    _R.ADDRESS_IN_COOLDOWN: ADDRESS_IN_COOLDOWN,
    _R.ADDRESS_ALREADY_IN_BOOK: ADDRESS_ALREADY_IN_BOOK,
    _R.TOO_MANY_ADDRESSES: TOO_MANY_ADDRESSES,
    _R.DAILY_LIMIT: DAILY_WITHDRAWAL_LIMIT,
    _R.UNKNOWN_WITHDRAWAL: UNKNOWN_WITHDRAWAL,
    _R.WITHDRAWAL_NOT_ALLOWED_NOW: WITHDRAWAL_NOT_ALLOWED_NOW,
    _R.ALREADY_APPROVED: ALREADY_APPROVED,
    _R.INVALID_CUSTODY_INPUT: ErrorSpec(-1130, "Data sent for a parameter is not valid."),
    _R.NOT_AN_RWA_TOKEN: NOT_AN_RWA_TOKEN,
    _R.INVALID_RWA_TERMS: INVALID_RWA_TERMS,
    _R.UNKNOWN_ATTESTOR: UNKNOWN_ATTESTOR,
    _R.BAD_ATTESTATION_SIGNATURE: BAD_ATTESTATION_SIGNATURE,
    _R.INCONSISTENT_ATTESTATION: INCONSISTENT_ATTESTATION,
    _R.EXCEEDS_RESERVE: EXCEEDS_RESERVE,
    _R.NO_HOLDERS: NO_HOLDERS,
    _R.SUBSCRIPTION_CLOSED: SUBSCRIPTION_CLOSED,
    _R.BELOW_ISSUER_MINIMUM: BELOW_ISSUER_MINIMUM,
    _R.UNKNOWN_REDEMPTION: UNKNOWN_REDEMPTION,
    _R.REDEMPTION_NOT_PENDING: REDEMPTION_NOT_PENDING,
    _R.INVALID_BAR_ALLOCATION: INVALID_BAR_ALLOCATION,
    _R.NOT_A_CARBON_CREDIT: NOT_A_CARBON_CREDIT,
    _R.INVALID_RWA_TRANSFER: INVALID_RWA_TRANSFER,
    _R.NOT_ELIGIBLE: NOT_ELIGIBLE,
    _R.HOLDER_LIMIT: HOLDER_LIMIT,
    _R.LOCKED_UP: LOCKED_UP,
    _R.NOT_FROZEN: NOT_FROZEN,
    _R.UNKNOWN_COLLECTION: UNKNOWN_COLLECTION,
    _R.COLLECTION_EXISTS: COLLECTION_EXISTS,
    _R.INVALID_COLLECTION: INVALID_COLLECTION,
    _R.NOT_THE_CREATOR: NOT_THE_CREATOR,
    _R.INVALID_NFT_ITEM: INVALID_NFT_ITEM,
    _R.TOKEN_ID_TAKEN: TOKEN_ID_TAKEN,
    _R.UNKNOWN_NFT_ITEM: UNKNOWN_NFT_ITEM,
    _R.NFT_NOT_HELD: NFT_NOT_HELD,
    _R.INVALID_NFT_TERMS: INVALID_NFT_TERMS,
    _R.UNKNOWN_NFT_LISTING: UNKNOWN_NFT_LISTING,
    _R.UNKNOWN_NFT_OFFER: UNKNOWN_NFT_OFFER,
    _R.UNKNOWN_NFT_AUCTION: UNKNOWN_NFT_AUCTION,
    _R.NFT_SELF_TRADE: NFT_SELF_TRADE,
    _R.NFT_PRICE_CHANGED: NFT_PRICE_CHANGED,
    _R.ITEM_NOT_IN_OFFER: ITEM_NOT_IN_OFFER,
    _R.AUCTION_NOT_OPEN: AUCTION_NOT_OPEN,
    _R.BID_TOO_LOW: BID_TOO_LOW,
    _R.AUCTION_HAS_BIDS: AUCTION_HAS_BIDS,
    _R.TOO_MANY_NFT_ORDERS: TOO_MANY_NFT_ORDERS,
    _R.UNKNOWN_NFT_WITHDRAWAL: UNKNOWN_NFT_WITHDRAWAL,
    _R.UNKNOWN_NFT_DROP: UNKNOWN_NFT_DROP,
    _R.DROP_NOT_OPEN: DROP_NOT_OPEN,
    _R.DROP_LIMIT: DROP_LIMIT,
    _R.NFT_NOT_ON_CHAIN: NFT_NOT_ON_CHAIN,
}

# An order refused by a permissioned token's holder rules is a rejected new order, in the
# -2010 family a Binance client already handles, saying which rule.
_ORDERS: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.NOT_ELIGIBLE: ErrorSpec(-2010, "This account may not hold this token (its holder rules)."),
    _R.HOLDER_LIMIT: ErrorSpec(-2010, "This order would pass the token's holder limit."),
    _R.LOCKED_UP: ErrorSpec(-2010, "This token may not change hands before its lock-up ends."),
}

# Cancels are answered in the -2011 family, as Binance's engine does.
_CANCEL: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.MARKET_CLOSED: ErrorSpec(-2011, MSG_MARKET_CLOSED),
    _R.MARKET_CANCEL_ONLY: ErrorSpec(-2011, MSG_MARKET_CLOSED),
    _R.INVALID_ORDER: ErrorSpec(-2011, MSG_CANCEL_INVALID),
    _R.INVALID_ACCOUNT: ErrorSpec(-2011, "This account may not place or cancel orders."),
}

# Binance answers a rejected keepPriority amend with -2038 ORDER_AMEND_REJECTED.
_AMEND: Final[dict[RejectReason, ErrorSpec]] = {
    **_CANCEL,
    _R.MARKET_CLOSED: ErrorSpec(-2038, MSG_MARKET_CLOSED),
    _R.MARKET_CANCEL_ONLY: ErrorSpec(-2038, MSG_MARKET_CLOSED),
    _R.INVALID_AMEND: ErrorSpec(-2038, MSG_AMEND_INVALID),
}

# Operator commands: listings, fees, deposits and withdrawals under /api/v1/admin/...
_ADMIN: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.INVALID_ACCOUNT: ErrorSpec(-1130, "Data sent for parameter 'account' is not valid."),
    _R.INSUFFICIENT_BALANCE: ErrorSpec(-7004, MSG_INSUFFICIENT_BALANCE),
    _R.STP_MODE_NOT_ALLOWED: STP_DEFAULT_NOT_ALLOWED,
}

# Small balances converted (/sapi/v1/asset/dust-convert/convert): the refusal names the asset.
_DUST: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.INVALID_ORDER: ErrorSpec(-1130, "Data sent for parameter 'asset' is not valid."),
    _R.INVALID_AMOUNT: ErrorSpec(
        -1102, "Mandatory parameter 'asset' was not sent, was empty/null, or malformed."
    ),
    _R.INSUFFICIENT_BALANCE: ErrorSpec(-2010, MSG_INSUFFICIENT_BALANCE),
}

# Withdrawals and address books (/sapi/v1/capital/withdraw/...): Binance's wallet codes,
# where it has one (-4026 with the message ccxt reads as InsufficientFunds).
_WITHDRAW: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.INSUFFICIENT_BALANCE: WITHDRAW_INSUFFICIENT_BALANCE,
    _R.UNKNOWN_ASSET: UNKNOWN_COIN,
    _R.INVALID_ACCOUNT: ErrorSpec(-4006, "Support main account only."),
    _R.INVALID_AMOUNT: ErrorSpec(-1130, "Data sent for parameter 'amount' is not valid."),
}

# A holder's own issuance requests (/api/v1/assets/subscribe, redeem, retire): the refusal
# names the parameter it is about.
_ISSUANCE: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.INVALID_AMOUNT: ErrorSpec(-1130, "Data sent for parameter 'amount' is not valid."),
    _R.INVALID_ACCOUNT: ErrorSpec(-2010, "This account may not subscribe, redeem or retire."),
    _R.INVALID_CUSTODY_INPUT: ErrorSpec(
        -1130, "Data sent for parameter 'beneficiary' or 'purpose' is not valid."
    ),
}

# The NFT marketplace (/api/v1/nft/...): its own codes; a short balance is Binance's -2010.
_NFT: Final[dict[RejectReason, ErrorSpec]] = {
    **_NEW_ORDER,
    _R.INSUFFICIENT_BALANCE: ErrorSpec(-2010, MSG_INSUFFICIENT_BALANCE),
    _R.INVALID_ACCOUNT: ErrorSpec(-1130, "Data sent for parameter 'to' is not valid."),
    _R.INVALID_FEE: ErrorSpec(-1130, "Data sent for parameter 'feeBps' is not valid."),
}

_TABLES: Final[dict[RejectContext, dict[RejectReason, ErrorSpec]]] = {
    RejectContext.NEW_ORDER: _ORDERS,
    RejectContext.CANCEL: _CANCEL,
    RejectContext.AMEND: _AMEND,
    RejectContext.ADMIN: _ADMIN,
    RejectContext.DUST: _DUST,
    RejectContext.WITHDRAW: _WITHDRAW,
    RejectContext.ISSUANCE: _ISSUANCE,
    RejectContext.NFT: _NFT,
}


def reject_spec(
    reason: RejectReason, context: RejectContext = RejectContext.NEW_ORDER
) -> ErrorSpec:
    """The public (code, msg, status) of an engine refusal."""
    return _TABLES[context][reason]


def reject_error(
    reason: RejectReason, context: RejectContext = RejectContext.NEW_ORDER
) -> ApiError:
    """The `ApiError` to answer an engine refusal with."""
    return _TABLES[context][reason].error()


# -- history refusals ------------------------------------------------------------------------


def history_error(reason: Refusal) -> ApiError:
    """The public error for a history query the SQL read model refused (`store/history.py`)."""
    if reason is Refusal.WINDOW_TOO_LONG:
        return more_than_hours(24)
    if reason is Refusal.BAD_COMBINATION:
        return BAD_PARAM_COMBO.error()
    if reason is Refusal.WINDOW_OVER_90_DAYS:
        return WINDOW_OVER_90_DAYS.error()
    if reason is Refusal.WINDOW_OVER_7_DAYS:
        return WINDOW_OVER_7_DAYS.error()
    return BAD_INTERVAL.error()
