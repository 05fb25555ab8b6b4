"""The error every face to the outside answers with, and the base of the catalogues.

An `ApiError` is a negative code, a message and an HTTP status; its body is
`{"code": ..., "msg": ...}`, Binance's shape. The gateway's catalogue (Binance's codes and
messages) is `api/errors.py`; the accounts' own codes are `accounts/errors.py`. Both build on
`ErrorSpec`; -1000, the answer to a bug anywhere, is here for every face.
"""

from typing import Final, NamedTuple

import msgspec


class ApiError(Exception):
    """An error answer: Binance `code` and `msg`, the HTTP status, and for 418/429 the
    seconds to put in `Retry-After`."""

    __slots__ = ("code", "http_status", "msg", "retry_after")

    def __init__(
        self, code: int, msg: str, http_status: int = 400, retry_after: int | None = None
    ) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.retry_after = retry_after

    def body(self) -> bytes:
        """The JSON body, `{"code":-1121,"msg":"Invalid symbol."}`."""
        return _encoder.encode({"code": self.code, "msg": self.msg})

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.msg!r}, http_status={self.http_status})"

    def __str__(self) -> str:
        return f"{self.code} {self.msg}"


_encoder = msgspec.json.Encoder()


class ErrorSpec(NamedTuple):
    code: int
    msg: str
    http_status: int = 400

    def error(self) -> ApiError:
        return ApiError(self.code, self.msg, self.http_status)


UNKNOWN: Final = ErrorSpec(-1000, "An unknown error occurred while processing the request.", 500)
