"""The gateway's real-time face, wired in one place: market streams, the WebSocket API,
user data (WebSocket API subscriptions and legacy listenKeys) and the listenKey REST
endpoints. The market streams are ASGI routes; the WebSocket API is served by `ws_server`
on the socket (the server gives uvicorn `websocket_protocol(ws_api, ...)`)."""

from dataclasses import dataclass

from starlette.routing import BaseRoute, WebSocketRoute

from assetport.api.gateway import Gateway
from assetport.api.http import Endpoint
from assetport.api.listen_keys import ListenKeys, listen_key_endpoints
from assetport.api.user_data import UserData
from assetport.api.ws_api import WebSocketApi
from assetport.api.ws_market import MarketStreams


@dataclass(frozen=True)
class Realtime:
    routes: list[BaseRoute]
    endpoints: tuple[Endpoint, ...]  # REST endpoints, dispatched with the others
    ws_api: WebSocketApi  # `/ws-api/v3`


def realtime(gateway: Gateway) -> Realtime:
    user_data = UserData(gateway)
    listen_keys = ListenKeys(user_data, gateway.clock_ms)
    streams = MarketStreams(gateway, listen_keys)
    api = WebSocketApi(gateway, user_data)
    routes: list[BaseRoute] = [
        WebSocketRoute("/ws", streams),
        WebSocketRoute("/ws/{name:path}", streams),
        WebSocketRoute("/stream", streams),
    ]
    return Realtime(routes, listen_key_endpoints(listen_keys), api)
