"""A token's documents, served by the hash its terms name them by:
`GET /api/v1/assets/documents/{sha256}` (edge/documents.py). Public, like the terms; the
bytes are checked against the hash when first read, and never change under one, so a
client may cache them for good. Reading and hashing a large file is done off the event
loop, once: the store keeps the few read last (edge/content_store.py)."""

import asyncio
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.edge.content_store import SHA256_HEX
from assetport.edge.documents import document_kind

PATH: Final = "/api/v1/assets/documents/{sha256}"


def document_routes(gateway: Gateway) -> list[Route]:
    async def read(digest: str) -> bytes | None:
        store = gateway.documents
        if store is None:
            return None
        data = store.cached(digest)
        return data if data is not None else await asyncio.to_thread(store.read, digest)

    def failed(error: ApiError) -> Response:
        return Response(error.body(), error.http_status, media_type="application/json")

    async def document(request: Request) -> Response:
        digest = str(request.path_params["sha256"])
        if not SHA256_HEX.fullmatch(digest):
            return failed(errors.invalid_parameter("sha256"))
        data = await read(digest)
        if data is None:
            return failed(errors.UNKNOWN_DOCUMENT.error())
        media_type, extension = document_kind(data)
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "Content-Disposition": f'inline; filename="{digest[:16]}.{extension}"',
            "ETag": f'"{digest}"',
        }
        return Response(data, 200, media_type=media_type, headers=headers)

    return [Route(PATH, document, methods=["GET"])]
