"""The FIX session layer, as Binance's FIX API runs it: logon, sequence numbers both ways,
heartbeats and test requests, rejects and logout. What the messages mean past the session
is the application's (`order_entry.py`, `drop_copy.py`).

The logon must be the connection's first message and come within the logon timeout: a
Logon<A> with ResetSeqNumFlag=Y, EncryptMethod 0, a HeartBtInt in range, MessageHandling,
Username = an Ed25519 API key with the session's permission (TRADE for order entry, READ or
TRADE for drop copy), and RawData = the key's signature (base64) of MsgType, SenderCompID,
TargetCompID, MsgSeqNum and SendingTime joined by SOH. SendingTime is held to RecvWindow
(25000, 5000 ms by default) as REST holds `timestamp` to `recvWindow`. A failed logon is
answered with Reject<3> (Binance's ErrorCode and Text), then Logout<5>, and the connection
is closed.

After logon, each message's MsgSeqNum must be the next one: a gap is rejected (Binance
does not resend), a number already used ends the session. A message that fails the wire's
checks is rejected without using up a number. The server sends a Heartbeat<0> when it has
sent nothing for HeartBtInt, a TestRequest<1> when the client has been silent that long,
and logs out a client silent for 2 x HeartBtInt. Past the message limit the session is
logged out at once.
"""

import enum
import re
import time
import uuid
from collections.abc import Callable
from typing import Final, Protocol

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.fix.limits import FixLimits
from assetport.api.fix.wire import (
    Framer,
    Garbled,
    Message,
    Unframeable,
    encode,
    parse_utc_timestamp,
)
from assetport.api.params import Params
from assetport.api.signing import check_key, check_timestamp, verify_signature
from assetport.edge.keys import ApiKey, KeyKind, KeyStore, Permission

SERVER_COMP_ID: Final = "SPOT"
SERVER_UUID: Final = str(uuid.uuid4())  # Logon's UUID (25037): this FIX API process
_COMP_ID: Final = re.compile(r"[a-zA-Z0-9\-_]{1,8}")
HEADER_TAGS: Final = frozenset({8, 9, 10, 34, 35, 49, 52, 56, 25000})
_LOGON_TAGS: Final = HEADER_TAGS | {95, 96, 98, 108, 141, 553, 25035, 25036, 9406}
_SESSION_TAGS: Final = {
    "0": HEADER_TAGS | {112},
    "1": HEADER_TAGS | {112},
    "5": HEADER_TAGS | {25016, 58},
}
_MESSAGE_WINDOW_S: Final = 10.0
LOGOUT_ACK: Final = "Logout acknowledgment."
SHUTDOWN_NEWS: Final = "Your connection is about to be closed. Please reconnect."

# SessionRejectReason (373).
REQUIRED_TAG_MISSING: Final = 1
TAG_NOT_DEFINED: Final = 2
VALUE_INCORRECT: Final = 5
SIGNATURE_PROBLEM: Final = 8
SENDING_TIME_ACCURACY: Final = 10
INVALID_MSG_TYPE: Final = 11
TAG_REPEATED: Final = 13
OTHER: Final = 99


class Kind(enum.Enum):
    ORDER_ENTRY = "order entry"
    DROP_COPY = "drop copy"


class ResponseMode(enum.Enum):
    EVERYTHING = "1"
    ONLY_ACKS = "2"


class Connection(Protocol):
    """The socket under a session (`server.py`)."""

    def write(self, data: bytes) -> None: ...

    def queued_bytes(self) -> int: ...

    def close(self) -> None:
        """Close once what was written has left."""
        ...

    def abort(self) -> None: ...


class Application(Protocol):
    """What a logged-on session does with application messages."""

    def start(self, session: "Session") -> None: ...

    def handle(self, session: "Session", message: Message) -> None: ...

    def stop(self, session: "Session") -> None: ...


class Registry(Protocol):
    """The server's sessions: the per-account limits and unique SenderCompIDs."""

    def admit(self, session: "Session") -> ApiError | None: ...

    def release(self, session: "Session") -> None: ...


class SessionError(Exception):
    """A message refused as a whole: answered with Reject<3>."""

    def __init__(self, error: ApiError, reason: int = OTHER, tag: int | None = None) -> None:
        super().__init__(error.msg)
        self.error = error
        self.reason = reason
        self.tag = tag


def logon_payload(sender: str, target: str, seq_num: str, sending_time: str) -> bytes:
    """What Logon<A>'s RawData signs: MsgType, SenderCompID, TargetCompID, MsgSeqNum and
    SendingTime as sent, joined by SOH (Binance's "How to sign Logon<A> request")."""
    return "\x01".join(["A", sender, target, seq_num, sending_time]).encode("ascii")


def required(message: Message, tag: int, name: str) -> str:
    value = message.get(tag)
    if value is None:
        raise SessionError(
            errors.fix_required_tag_missing(f"{name} ({tag})"), REQUIRED_TAG_MISSING, tag
        )
    return value


def check_tags(message: Message, allowed: frozenset[int]) -> None:
    """-1170 for a tag the message type does not define, -1171 for one sent twice."""
    seen: set[int] = set()
    for tag in message.tags():
        if tag not in allowed:
            raise SessionError(errors.fix_tag_not_defined(tag), TAG_NOT_DEFINED, tag)
        if tag in seen:
            raise SessionError(errors.fix_tag_repeated(tag), TAG_REPEATED, tag)
        seen.add(tag)


def check_sending_time(message: Message, now_ms: int, default_window_ms: int | None) -> None:
    """SendingTime (52) within RecvWindow (25000) of the server's clock, as REST's
    `timestamp` within `recvWindow` (-1021); without RecvWindow, only the logon is held to
    the default."""
    window = message.get(25000)
    if window is None and default_window_ms is None:
        return
    sent = parse_utc_timestamp(required(message, 52, "SendingTime"))
    if sent is None:
        raise SessionError(errors.invalid_parameter("SendingTime"), VALUE_INCORRECT, 52)
    values = {"timestamp": str(sent)}
    if window is not None:
        values["recvWindow"] = window
    try:
        check_timestamp(Params(values), now_ms)
    except ApiError as error:
        raise SessionError(error, SENDING_TIME_ACCURACY, 52) from None


class Session:
    """One FIX connection, from its first byte to its close."""

    def __init__(
        self,
        kind: Kind,
        connection: Connection,
        ip: str,
        *,
        keys: KeyStore,
        clock_ms: Callable[[], int],
        limits: FixLimits,
        application: Application,
        registry: Registry,
    ) -> None:
        self.kind = kind
        self.connection = connection
        self.ip = ip
        self.keys = keys
        self.clock_ms = clock_ms
        self.limits = limits
        self.application = application
        self.registry = registry
        self.framer = Framer(limits.max_message_bytes, limits.max_fields)
        now = time.monotonic()
        self.connected_at = now
        self.last_in = now
        self.last_out = now
        self.key: ApiKey | None = None
        self.client_comp_id = ""
        self.heartbeat_s = 0
        self.response_mode = ResponseMode.EVERYTHING
        self.next_in = 1
        self.next_out = 1
        self.test_request: str | None = None
        self.logged_on = False
        self.closed = False
        self._window_start = now
        self._window_count = 0

    @property
    def account(self) -> int:
        assert self.key is not None
        return self.key.account

    # -- input ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            for item in self.framer.feed(data):
                if self.closed:
                    return
                if not self._count_message():
                    return
                self.last_in = time.monotonic()
                self.test_request = None  # any message shows the client is alive
                if isinstance(item, Garbled):
                    self._garbled(item)
                else:
                    self._receive(item)
        except Unframeable as exc:
            self.logout(exc.error.msg, code=exc.error.code)

    def _count_message(self) -> bool:
        """Binance's message limit per connection: past it, logged out at once."""
        now = time.monotonic()
        if now - self._window_start >= _MESSAGE_WINDOW_S:
            self._window_start = now
            self._window_count = 0
        self._window_count += 1
        if self._window_count > self.limits.messages_per_10s:
            error = errors.fix_too_many_messages(self.limits.messages_per_10s, "10s")
            self.logout(error.msg, code=error.code)
            return False
        return True

    @property
    def messages_in_window(self) -> int:
        return self._window_count

    def _garbled(self, item: Garbled) -> None:
        if not self.logged_on:
            self._refuse_logon(item.error, item.seq_num, None)
            return
        self.reject(item.seq_num, None, item.error)

    def _receive(self, message: Message) -> None:
        if not self.logged_on:
            self._logon(message)
            return
        seq_text = message.get(34)
        seq = int(seq_text) if seq_text is not None and seq_text.isdigit() else None
        if seq is None or seq < self.next_in:
            error = errors.fix_bad_seq_num(self.next_in)
            self.logout(error.msg, code=error.code)
            return
        if seq > self.next_in:
            self.reject(seq, message.msg_type, errors.fix_bad_seq_num(self.next_in))
            return
        self.next_in += 1
        if message.get(49) != self.client_comp_id or message.get(56) != SERVER_COMP_ID:
            error = errors.FIX_BAD_SENDER_COMP_ID.error()
            self.logout(error.msg, code=error.code)
            return
        try:
            check_sending_time(message, self.clock_ms(), None)
            self._dispatch(message)
        except SessionError as exc:
            self.reject(seq, message.msg_type, exc.error, exc.reason, exc.tag)
        except ApiError as error:
            self.reject(seq, message.msg_type, error)

    def _dispatch(self, message: Message) -> None:
        kind = message.msg_type
        session_tags = _SESSION_TAGS.get(kind)
        if session_tags is not None:
            check_tags(message, session_tags)
        if kind == "0":
            return  # a heartbeat, or the answer to a test request: alive, nothing to do
        if kind == "1":
            self.send("0", [(112, required(message, 112, "TestReqID"))])
        elif kind == "5":
            self.logout(LOGOUT_ACK)
        elif kind == "A":
            raise SessionError(errors.FIX_ALREADY_LOGGED_IN.error())
        elif kind == "3":
            return  # the client's own reject of something we sent: nothing to answer
        else:
            self.application.handle(self, message)

    # -- logon ------------------------------------------------------------------------------

    def _logon(self, message: Message) -> None:
        seq_text = message.get(34)
        seq = int(seq_text) if seq_text is not None and seq_text.isdigit() else None
        try:
            self._check_logon(message)
        except SessionError as exc:
            self._refuse_logon(exc.error, seq, message.msg_type, exc.reason, exc.tag)
            return
        except ApiError as error:
            self._refuse_logon(error, seq, message.msg_type)
            return
        refused = self.registry.admit(self)
        if refused is not None:
            self.key = None
            self._refuse_logon(refused, seq, message.msg_type)
            return
        self.logged_on = True
        self.next_in = 2
        self.send("A", [(98, "0"), (108, str(self.heartbeat_s)), (25037, SERVER_UUID)])
        self.application.start(self)

    def _check_logon(self, message: Message) -> None:
        if message.msg_type != "A":
            raise SessionError(errors.FIX_EXPECTED_LOGON.error())
        sender = required(message, 49, "SenderCompID")
        if _COMP_ID.fullmatch(sender) is None:
            raise SessionError(errors.invalid_parameter("SenderCompID"), VALUE_INCORRECT, 49)
        self.client_comp_id = sender  # the Reject and Logout go to it
        check_tags(message, _LOGON_TAGS)
        if required(message, 56, "TargetCompID") != SERVER_COMP_ID:
            raise SessionError(errors.invalid_parameter("TargetCompID"), VALUE_INCORRECT, 56)
        if required(message, 141, "ResetSeqNumFlag") != "Y":
            raise SessionError(errors.FIX_RESET_SEQ_NUM.error(), VALUE_INCORRECT, 141)
        if required(message, 34, "MsgSeqNum") != "1":
            raise SessionError(errors.fix_bad_seq_num(1), VALUE_INCORRECT, 34)
        if required(message, 98, "EncryptMethod") != "0":
            raise SessionError(errors.invalid_parameter("EncryptMethod"), VALUE_INCORRECT, 98)
        heartbeat = required(message, 108, "HeartBtInt")
        limits = self.limits
        if not heartbeat.isdigit() or not (
            limits.heartbeat_min_s <= int(heartbeat) <= limits.heartbeat_max_s
        ):
            raise SessionError(errors.invalid_parameter("HeartBtInt"), VALUE_INCORRECT, 108)
        if required(message, 25035, "MessageHandling") not in ("1", "2"):
            raise SessionError(errors.invalid_parameter("MessageHandling"), VALUE_INCORRECT, 25035)
        mode = message.get(25036)
        if mode is not None and mode not in ("1", "2"):
            raise SessionError(errors.invalid_parameter("ResponseMode"), VALUE_INCORRECT, 25036)
        drop_copy = message.get(9406) == "Y"
        if self.kind is Kind.DROP_COPY and not drop_copy:
            raise SessionError(errors.FIX_DROP_COPY_REQUIRED.error(), VALUE_INCORRECT, 9406)
        if self.kind is Kind.ORDER_ENTRY and drop_copy:
            raise SessionError(errors.FIX_DROP_COPY_NOT_ALLOWED.error(), VALUE_INCORRECT, 9406)
        api_key = message.get(553)
        key = check_key(self.keys, api_key, self.ip, self._permission(api_key))
        if key.kind is not KeyKind.ED25519:
            raise SessionError(errors.HMAC_NOT_SUPPORTED.error(), VALUE_INCORRECT, 553)
        signature = required(message, 96, "RawData")
        payload = logon_payload(sender, SERVER_COMP_ID, "1", required(message, 52, "SendingTime"))
        try:
            verify_signature(key, payload, signature.encode("ascii"))
        except ApiError as error:
            raise SessionError(error, SIGNATURE_PROBLEM, 96) from None
        check_sending_time(message, self.clock_ms(), 5000)
        self.key = key
        self.heartbeat_s = int(heartbeat)
        self.response_mode = ResponseMode(mode or "1")

    def _permission(self, api_key: str | None) -> Permission:
        """TRADE for order entry; for drop copy READ, or TRADE alone (Binance lets FIX_API
        and FIX_API_READ_ONLY keys read the drop copy)."""
        if self.kind is Kind.ORDER_ENTRY:
            return Permission.TRADE
        known = self.keys.get(api_key) if api_key else None
        if known is not None and Permission.READ not in known.permissions:
            return Permission.TRADE
        return Permission.READ

    def _refuse_logon(
        self,
        error: ApiError,
        seq: int | None,
        msg_type: str | None,
        reason: int = OTHER,
        tag: int | None = None,
    ) -> None:
        self.reject(seq, msg_type, error, reason, tag)
        self.logout(error.msg, code=None)

    # -- output -----------------------------------------------------------------------------

    def send(self, msg_type: str, body: list[tuple[int, str]]) -> None:
        if self.closed:
            return
        target = self.client_comp_id or "UNKNOWN"
        self.connection.write(encode(msg_type, self.next_out, SERVER_COMP_ID, target, body))
        self.next_out += 1
        self.last_out = time.monotonic()
        if self.connection.queued_bytes() > self.limits.max_queued_bytes:
            self.close(abort=True)  # a client that does not read: dropped, not buffered

    def reject(
        self,
        ref_seq: int | None,
        ref_msg_type: str | None,
        error: ApiError,
        reason: int = OTHER,
        tag: int | None = None,
    ) -> None:
        """Reject<3>, with Binance's ErrorCode (25016) and Text (58)."""
        body: list[tuple[int, str]] = []
        if ref_seq is not None:
            body.append((45, str(ref_seq)))
        if tag is not None:
            body.append((371, str(tag)))
        if ref_msg_type is not None:
            body.append((372, ref_msg_type))
        body += [(373, str(reason)), (25016, str(error.code)), (58, error.msg)]
        self.send("3", body)

    def logout(self, text: str, *, code: int | None = None) -> None:
        """Logout<5> with its reason, then close."""
        body: list[tuple[int, str]] = []
        if code is not None:
            body.append((25016, str(code)))
        body.append((58, text))
        self.send("5", body)
        self.close()

    def news(self, headline: str) -> None:
        self.send("B", [(148, headline)])

    def close(self, *, abort: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if abort:
            self.connection.abort()
        else:
            self.connection.close()
        self.connection_lost()

    def connection_lost(self) -> None:
        """The socket is gone (or closing): stop the application, free the slot."""
        self.closed = True
        if self.logged_on:
            self.logged_on = False
            self.application.stop(self)
            self.registry.release(self)

    # -- timers -----------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Called a few times a second: logon timeout, heartbeats, test requests."""
        if self.closed:
            return
        if not self.logged_on:
            if now - self.connected_at >= self.limits.logon_timeout_s:
                self.close()
            return
        silent = now - self.last_in
        if silent >= 2 * self.heartbeat_s:
            self.logout("Heartbeat timeout: no message for twice HeartBtInt.")
            return
        if silent >= self.heartbeat_s and self.test_request is None:
            self.test_request = uuid.uuid4().hex[:16]
            self.send("1", [(112, self.test_request)])
        elif now - self.last_out >= self.heartbeat_s:
            self.send("0", [])
