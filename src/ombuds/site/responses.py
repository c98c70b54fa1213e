"""Responses with validators: an ETag from the body and Cache-Control, 304 when the reader already has the bytes.
Shared by the app (pages) and the API, which both import it (neither imports the other for it)."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response


def etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def respond(request: Request, body: bytes, media_type: str, max_age: int, status: int = 200,
            tag: str | None = None, extra: dict[str, str] | None = None) -> Response:
    """A response with ETag and Cache-Control (and any `extra` headers); 304 when the client already has these
    bytes."""
    tag = tag or etag(body)
    headers = {"etag": tag, "cache-control": f"public, max-age={max_age}", "vary": "Accept-Encoding", **(extra or {})}
    if status == 200 and none_match(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type=media_type, headers=headers)


def none_match(header: str, tag: str) -> bool:
    """Whether If-None-Match names this entity tag (RFC 9110 13.1.2): `*`, or a comma-separated list of tags, each
    compared whole (a weak `W/` tag compares by its opaque part); anything else is no match."""
    if header.strip() == "*":
        return True
    return any(part.strip().removeprefix("W/") == tag for part in header.split(","))
