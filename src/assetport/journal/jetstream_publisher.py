"""Pipelined JetStream publishing: send many messages, then wait for each one's ack.

nats-py's own `publish_async` (2.16.0) loses server errors: its reply handler calls
`APIError.from_error`, which raises instead of returning the error, so the future is never
completed and the error only reaches the connection's error callback. A rejected publish
(e.g. "wrong last sequence") would then look like a timeout. This publisher parses the
replies itself and completes every future with the ack or the rejection.
"""

import asyncio
import itertools
import json
from typing import NamedTuple

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription


class Ack(NamedTuple):
    """JetStream stored the message at stream seq `seq` (or had it already: `duplicate`)."""

    seq: int
    duplicate: bool


class PublishRejected(Exception):
    """JetStream refused a message; `err_code` is JetStream's own error code."""

    def __init__(self, code: int, err_code: int, description: str) -> None:
        super().__init__(f"JetStream refused the message: {description} (error {err_code})")
        self.code = code
        self.err_code = err_code
        self.description = description


class PipelinedPublisher:
    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._inbox = nc.new_inbox()
        self._tokens = itertools.count()
        self._waiting: dict[str, asyncio.Future[Ack]] = {}
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._subscription = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_reply)

    async def publish(
        self, subject: str, data: bytes, headers: dict[str, str]
    ) -> asyncio.Future[Ack]:
        """Send one message; the returned future completes with its ack or rejection.

        Messages go out in call order on one connection, so JetStream sees them in order.
        """
        token = str(next(self._tokens))
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._waiting[token] = future
        # A cancelled or timed-out future must not stay in the table forever.
        future.add_done_callback(lambda _: self._waiting.pop(token, None))
        await self._nc.publish(subject, data, reply=f"{self._inbox}.{token}", headers=headers)
        return future

    async def _on_reply(self, msg: Msg) -> None:
        future = self._waiting.get(msg.subject.rsplit(".", 1)[-1])
        if future is None or future.done():
            return
        if msg.headers and msg.headers.get("Status") == "503":
            future.set_exception(PublishRejected(503, 0, "no stream is listening on the subject"))
            return
        try:
            reply = json.loads(msg.data)
            error = reply.get("error")
            if error is not None:
                future.set_exception(
                    PublishRejected(
                        int(error.get("code", 0)),
                        int(error.get("err_code", 0)),
                        str(error.get("description", "")),
                    )
                )
            else:
                future.set_result(Ack(int(reply["seq"]), bool(reply.get("duplicate", False))))
        except (ValueError, KeyError, TypeError) as exc:
            future.set_exception(PublishRejected(0, 0, f"unreadable ack {msg.data!r}: {exc}"))

    async def close(self) -> None:
        for future in list(self._waiting.values()):
            future.cancel()
        if self._subscription is not None:
            await self._subscription.unsubscribe()
            self._subscription = None
