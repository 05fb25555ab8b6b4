"""A token's documents, served by the hash its terms name them by:
`GET /api/v1/assets/documents/{sha256}` (edge/documents.py). Public, like the terms; the
bytes are checked against the hash when first read, and never change under one, so a
client may cache them for good. Reading and hashing a large file is done off the event
loop, once: the few read last are kept."""

import asyncio
from collections import OrderedDict
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api.errors import ApiError
from assetport.api.gateway import Gateway
from assetport.edge.documents import SHA256_HEX, document_kind

PATH: Final = "/api/v1/assets/documents/{sha256}"
CACHED_BYTES: Final = 64 << 20


def document_routes(gateway: Gateway) -> list[Route]:
    cache: OrderedDict[str, bytes] = OrderedDict()

    async def read(digest: str) -> bytes | None:
        data = cache.get(digest)
        if data is not None:
            cache.move_to_end(digest)
            return data
        store = gateway.documents
        data = None if store is None else await asyncio.to_thread(store.read, digest)
        if data is not None:
            cache[digest] = data
            while sum(len(kept) for kept in cache.values()) > CACHED_BYTES and len(cache) > 1:
                cache.popitem(last=False)
        return data

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
