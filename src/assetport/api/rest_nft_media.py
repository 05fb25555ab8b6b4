"""NFT media over HTTP (edge/nft_media.py): a creator uploads an item's image or a
collection's cover, and anyone reads it back by the SHA-256 an item's metadata names it by.

- `POST /api/v1/nft/media` (USER_DATA): the body is the file's bytes, `Content-Type` the
  type the uploader says it is, `fileName` (optional, in the query) its name. Signed like
  every USER_DATA endpoint, with the signature in the query: it covers the query string
  (the body is no form); or the web session's cookie and CSRF header. The request is
  authenticated before a byte of the body is read, and the body is read only up to 10 MiB:
  a larger one (declared by Content-Length, or growing while it arrives) is 413 and
  nothing is written. At most 8 bodies are read at once (a ninth upload is 429). Answers
  `{"sha256", "contentType", "size", "width", "height", "url"}`; the same bytes again
  answer the same and keep one file.
- `GET /api/v1/nft/media/{sha256}` (public): the bytes with the type their bytes say,
  `nosniff`, cacheable for good (a hash's bytes never change; its ETag is the hash). A file
  whose bytes do not hash to its name, or are no allowed image, is never served (404).

The upload runs the REST pipeline (`http.answer_request`: request weight, key, signature,
time, the session's cookie) like every signed endpoint; its handler alone reads the body,
which the pipeline never sees. Reading, checking, hashing and writing a file are done off
the event loop.
"""

import asyncio
import dataclasses
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assetport.api import errors
from assetport.api.errors import ApiError, ErrorSpec
from assetport.api.gateway import Gateway
from assetport.api.http import JSON, Call, Endpoint, ParamDoc, RawRequest, Security, answer_request
from assetport.edge.content_store import SHA256_HEX
from assetport.edge.nft_media import (
    MAX_MEDIA_BYTES,
    Media,
    MediaError,
    MediaRefusal,
    NftMediaStore,
)
from assetport.edge.requests import client_ip
from assetport.edge.sessions import session_credentials

PATH: Final = "/api/v1/nft/media"
ITEM_PATH: Final = "/api/v1/nft/media/{sha256}"
MAX_FILE_NAME: Final = 255
# Uploads whose bodies are being read at one time: each holds up to 10 MiB in memory, so
# together they hold at most this many times that. One more is refused (429), not queued.
MAX_UPLOADS_AT_ONCE: Final = 8
IMMUTABLE: Final = "public, max-age=31536000, immutable"
# An image is shown by an <img>; opened on its own it may run nothing and load nothing.
MEDIA_CSP: Final = "default-src 'none'; sandbox"

_REFUSALS: Final[dict[MediaRefusal, ErrorSpec]] = {
    MediaRefusal.EMPTY: errors.NFT_MEDIA_EMPTY,
    MediaRefusal.TOO_LARGE: errors.NFT_MEDIA_TOO_LARGE,
    MediaRefusal.NOT_ALLOWED: errors.NFT_MEDIA_NOT_ALLOWED,
    MediaRefusal.DISGUISED: errors.NFT_MEDIA_DISGUISED,
    MediaRefusal.DAMAGED: errors.NFT_MEDIA_DAMAGED,
    MediaRefusal.DIMENSIONS: errors.NFT_MEDIA_DIMENSIONS,
}


async def _served_by_its_route(call: Call) -> Any:
    """Both endpoints are answered by their own routes (`nft_media_routes`); these
    declarations say what they are. Each upload gets a handler that reads its own body."""
    raise errors.UNKNOWN.error()


# What the two endpoints are, for the OpenAPI document (api/openapi.py) and the pipeline.
UPLOAD: Final = Endpoint(
    "POST", PATH, _served_by_its_route, Security.USER_DATA,
    "Upload an NFT image (PNG, JPEG, GIF or WebP, at most 10 MiB and 8192 pixels a side) "
    "as the request body; it is kept by its SHA-256",
    (ParamDoc("fileName", description="the file's name; its extension must match its bytes"),
     ParamDoc("timestamp", "integer", True), ParamDoc("recvWindow"),
     ParamDoc("signature", required=True)),
)  # fmt: skip
READ: Final = Endpoint(
    "GET", ITEM_PATH, _served_by_its_route, Security.NONE,
    "An NFT image by its SHA-256, with the type its bytes say",
    (ParamDoc("sha256", required=True, description="64 lower-case hex digits"),),
)  # fmt: skip
ENDPOINTS: Final = (UPLOAD, READ)
# For the transport (api/http_server.py), which holds every body to 64 KiB unless told
# otherwise: this path's body is a file of up to 10 MiB.
UPLOADS: Final = {PATH: MAX_MEDIA_BYTES}


def media_url(digest: str) -> str:
    return f"{PATH}/{digest}"


def nft_media_routes(gateway: Gateway) -> list[Route]:
    uploading = 0

    def media_store() -> NftMediaStore | None:
        return gateway.nft_media

    async def upload(request: Request) -> Response:
        async def handler(call: Call) -> Any:
            file_name = call.params.optional_string("fileName")
            if file_name is not None and len(file_name) > MAX_FILE_NAME:
                raise errors.invalid_parameter("fileName")
            call.params.ensure_all_read()
            kept = media_store()
            if kept is None:
                raise errors.DISCONNECTED.error()  # a gateway without a data directory
            nonlocal uploading
            if uploading >= MAX_UPLOADS_AT_ONCE:
                raise errors.TOO_MANY_REQUESTS_QUEUED.error()
            uploading += 1
            try:
                data = await _bounded_body(request)
                declared = request.headers.get("content-type")
                media = await asyncio.to_thread(kept.put, data, declared, file_name)
            except MediaError as exc:
                raise _REFUSALS[exc.refusal].error() from exc
            finally:
                uploading -= 1
            return _shown(media)

        endpoint = dataclasses.replace(UPLOAD, handler=handler)
        answer = await answer_request(gateway, endpoint, _raw(request))
        return Response(answer.body, answer.status, dict(answer.headers), JSON)

    async def read(request: Request) -> Response:
        digest = str(request.path_params["sha256"])
        if not SHA256_HEX.fullmatch(digest):
            return _failed(errors.invalid_parameter("sha256"))
        kept = media_store()
        found = None
        if kept is not None:
            found = kept.cached(digest) or await asyncio.to_thread(kept.read, digest)
        if found is None:
            return _failed(errors.UNKNOWN_NFT_MEDIA.error())
        data, media = found
        etag = f'"{digest}"'
        headers = {
            "Cache-Control": IMMUTABLE,
            "ETag": etag,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": MEDIA_CSP,
            "Content-Disposition": f'inline; filename="{digest[:16]}.{_extension(media)}"',
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(None, 304, headers=headers)
        return Response(data, 200, media_type=media.content_type, headers=headers)

    return [Route(PATH, upload, methods=["POST"]), Route(ITEM_PATH, read, methods=["GET"])]


async def _bounded_body(request: Request) -> bytes:
    """The request's body, never more than the largest file kept: a larger one is refused
    (413) from its Content-Length before it is read, or as soon as it grows past it."""
    declared = request.headers.get("content-length", "").lstrip("0")
    # Ten digits or more is past 10 MiB: such a number is not even converted.
    numeric = declared.isascii() and declared.isdigit()
    if numeric and (len(declared) > 9 or int(declared) > MAX_MEDIA_BYTES):
        raise errors.NFT_MEDIA_TOO_LARGE.error()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MEDIA_BYTES:
            raise errors.NFT_MEDIA_TOO_LARGE.error()
    return bytes(body)


def _raw(request: Request) -> RawRequest:
    """The request as the pipeline reads it: its query (what the signature covers) and
    credentials. The body is the handler's: it is no form of parameters."""
    api_keys = request.headers.getlist("x-mbx-apikey")
    return RawRequest(
        raw_query=request.scope["query_string"],
        body=b"",
        content_type="",
        api_key=api_keys[0] if api_keys else None,
        ip=client_ip(request),
        session=session_credentials(
            request.headers.get("cookie"), request.headers.get("x-csrf-token")
        ),
        repeated_api_key=len(api_keys) > 1,
    )


def _shown(media: Media) -> dict[str, Any]:
    return {
        "sha256": media.sha256,
        "contentType": media.content_type,
        "size": media.size,
        "width": media.width,
        "height": media.height,
        "url": media_url(media.sha256),
    }


def _extension(media: Media) -> str:
    return media.content_type.removeprefix("image/").replace("jpeg", "jpg")


def _failed(error: ApiError) -> Response:
    return Response(error.body(), error.http_status, media_type=JSON)
