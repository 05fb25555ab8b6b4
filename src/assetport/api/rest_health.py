"""`GET /api/v1/health`: what a load balancer polls (Assetport's own, beside Binance's ping).

Binance's `GET /api/v3/ping` only says the server answers, and bots call it before they
trade, so it stays {} whatever else is wrong. The health check fails (-1001, HTTP 503)
while the SQL read model has stopped following the engine (the history endpoints answer
-1001 then too) and while a gateway over the command port reaches no primary engine (its
orders answer -1001 then): a gateway that cannot serve should be taken out of rotation,
and one cut off from the engine while the others are not (a partition) is.
"""

from typing import Any

from assetport.api import errors
from assetport.api.http import Call, Endpoint


async def health(call: Call) -> Any:
    gateway = call.gateway
    engine_seq = gateway.engine.last_seq
    if not gateway.engine.reachable:
        raise errors.ENGINE_UNREACHABLE.error()
    answer: dict[str, Any] = {"status": "ok", "engineSeq": engine_seq}
    read_model = gateway.read_model
    if read_model is not None:
        if read_model.stopped():
            raise errors.READ_MODEL_STOPPED.error()
        seq = read_model.last_seq()
        answer["readModel"] = {"seq": seq, "behind": max(0, engine_seq - seq)}
    return answer


ENDPOINTS = (
    Endpoint("GET", "/api/v1/health", health,
             summary="Health: fails (503) without the engine or the SQL history"),
)  # fmt: skip
