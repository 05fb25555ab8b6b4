"""Sandbox endpoints (only with `assetport serve --demo`): the faucet.

POST /api/v1/sandbox/faucet   (signed, TRADE)  -> the test funds given, per asset
                              -7005 (429) given this hour; -7065 a token's reserve used up
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from assetport.api import errors
from assetport.api.gateway import Gateway
from assetport.api.http import Call, Endpoint, ParamDoc, Security, respond
from assetport.edge.errors import ApiError
from assetport.sandbox.faucet import AlreadyGiven, ReserveUsedUp, give_test_funds


async def faucet(call: Call) -> Any:
    call.params.ensure_all_read()
    gateway = call.gateway
    try:
        given = await give_test_funds(gateway, call.account, call.now_ms)
    except AlreadyGiven as exc:
        raise errors.FAUCET_ALREADY_GIVEN.error() from exc
    except ReserveUsedUp as exc:
        # The engine's own refusal of the issuer's mint, naming the token: nothing was given.
        spec = errors.EXCEEDS_RESERVE
        msg = f"The attested reserve of {exc.asset} is used up: no test funds were given."
        raise ApiError(spec.code, msg, spec.http_status) from exc
    return {
        "account": call.account,
        "given": [
            {"asset": asset, "amount": gateway.markets.amount(asset, units)}
            for asset, units in given.items()
        ],
    }


ENDPOINTS = (
    Endpoint(
        "POST",
        "/api/v1/sandbox/faucet",
        faucet,
        Security.TRADE,
        "Sandbox: test funds for this account, once an hour",
        (ParamDoc("timestamp", "integer", True), ParamDoc("signature", required=True)),
    ),
)


def sandbox_routes(gateway: Gateway) -> list[BaseRoute]:
    """The sandbox's routes, added to the app only by `assetport serve --demo`."""

    def route(endpoint: Endpoint) -> Route:
        async def answer(request: Request) -> Response:
            return await respond(gateway, endpoint, request)

        return Route(endpoint.path, answer, methods=[endpoint.method])

    return [route(endpoint) for endpoint in ENDPOINTS]
