"""The chain's node as custody talks to it: JSON-RPC over HTTP, the two ways a call goes
wrong (`NodeUnavailable`: no usable answer; `NodeError`: the node refuses), and the hex
quantities and revert data its answers carry.

In a module of its own, below the senders and the sweeper, so that each of them and
`transactions.py` can share it without importing one another.
"""

from typing import Any

import aiohttp
import msgspec


class NodeUnavailable(RuntimeError):
    """The node could not be reached, was too slow, or did not answer JSON-RPC."""


class NodeError(RuntimeError):
    """The node answered a JSON-RPC error: `code`, `message` and its `data` (revert data)."""

    def __init__(self, method: str, code: int, message: str, data: object) -> None:
        super().__init__(f"{method}: {message[:200]}")
        self.code = code
        self.message = message
        self.data = data


class NodeRpc:
    """JSON-RPC over one aiohttp session (opened on first use); every call bounded by the
    timeout. Errors carry the method and the node's message, never the parameters."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self._url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._id = 0
        self._decoder = msgspec.json.Decoder()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, *params: object) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        try:
            async with self._session.post(
                self._url,
                data=msgspec.json.encode(body),
                headers={"Content-Type": "application/json"},
            ) as response:
                if response.status != 200:
                    raise NodeUnavailable(f"{method}: the node answered HTTP {response.status}")
                answer = self._decoder.decode(await response.read())
        except (aiohttp.ClientError, TimeoutError, msgspec.DecodeError) as exc:
            raise NodeUnavailable(f"{method}: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise NodeUnavailable(f"{method}: not a JSON-RPC answer")
        error = answer.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise NodeError(method, 0, str(error), None)
            code = error.get("code", 0)
            raise NodeError(
                method,
                code if isinstance(code, int) else 0,
                str(error.get("message", "")),
                error.get("data"),
            )
        return answer.get("result")


def quantity(value: object) -> int:
    """A JSON-RPC quantity ("0x1a"). Anything else is a node not speaking JSON-RPC as it
    should: unavailable, as far as custody is concerned."""
    if not isinstance(value, str):
        raise NodeUnavailable(f"the node answered {type(value).__name__} for a quantity")
    return int(value, 16)


def revert_data(data: object) -> bytes:
    """The revert data of a node's error (`data` is hex, or an object holding it)."""
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""
