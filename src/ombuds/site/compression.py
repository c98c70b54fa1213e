"""Text responses sent compressed, brotli or gzip as the client accepts (brotli preferred), with
`Vary: Accept-Encoding`; never a type that is compressed already (PDF, XLSX, images, fonts, brotli shards).

Written here rather than taken from a package: Starlette's GZipMiddleware has no brotli, and the brotli middleware
packages compress every response again per request, where this one keeps the compressed bytes of each response
(by its ETag) so that a page read a thousand times is compressed once. The same `compress` writes the static
build's `.br`/`.gz` twins (`site build --precompress`).
"""

from __future__ import annotations

import gzip
import hashlib
import threading

import brotli
from cachetools import LRUCache

MINIMUM = 1024  # bytes: a shorter response is sent as it is
CACHE_BYTES = 32 << 20  # compressed bodies kept, least recently used out
BROTLI_QUALITY = 5  # fast enough to compress a 350 KB page in a few milliseconds, within 10% of the best size
GZIP_LEVEL = 6
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "application/atom+xml",
              "application/rss+xml", "application/geo+json", "application/ld+json", "application/manifest+json",
              "application/schema+json", "image/svg+xml")
ENCODINGS = ("br", "gzip")  # in order of preference


def compressible(media_type: str) -> bool:
    """Whether a response of this type is text worth compressing (and not compressed already)."""
    plain = media_type.split(";", 1)[0].strip().lower()
    return plain.startswith(TEXT_TYPES) or plain.endswith("+json") or plain.endswith("+xml")


def negotiate(accept_encoding: str) -> str | None:
    """The encoding to send for an Accept-Encoding header: brotli if accepted, else gzip, else none. `*` accepts
    both; a q-value of 0 refuses one (RFC 9110 12.5.3)."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, *parameters = (p.strip() for p in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            accepted[name.lower()] = quality
    for encoding in ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class CompressionMiddleware:
    """Pure ASGI: a compressible response of MINIMUM bytes or more is sent in the negotiated encoding, its ETag made
    weak (the bytes differ, the content is the same, so If-None-Match still matches); every compressible response
    says `Vary: Accept-Encoding`."""

    def __init__(self, app, minimum: int = MINIMUM):
        self.app = app
        self.minimum = minimum
        self._cache: LRUCache = LRUCache(CACHE_BYTES, getsizeof=len)
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        encoding = negotiate(headers.get(b"accept-encoding", b"").decode("latin-1"))
        started: dict = {}
        chunks: list[bytes] = []

        async def compressing(message):
            if message["type"] == "http.response.start":
                started.update(message)
                if not self._candidate(message):
                    started["passed"] = True
                    await send(message)
                return
            if started.get("passed") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._send(send, started, b"".join(chunks), encoding, scope)

        await self.app(scope, receive, compressing)

    def _candidate(self, start: dict) -> bool:
        headers = {k.lower(): v for k, v in start.get("headers", [])}
        return (b"content-encoding" not in headers
                and compressible(headers.get(b"content-type", b"").decode("latin-1")))

    async def _send(self, send, start: dict, body: bytes, encoding: str | None, scope) -> None:
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"vary", b"content-length")]
        vary = [v for k, v in start.get("headers", []) if k.lower() == b"vary"]
        names = {n.strip().lower() for v in vary for n in v.decode("latin-1").split(",")}
        headers.append((b"vary", b", ".join([*vary, *([] if "accept-encoding" in names else [b"Accept-Encoding"])])))
        if encoding is not None and len(body) >= self.minimum:  # HEAD: Starlette gives the body, to be left out
            tag = next((v for k, v in headers if k.lower() == b"etag"), None)
            body = self._compressed(body, encoding, tag, scope["path"])
            headers = [(k, b"W/" + v if k.lower() == b"etag" and not v.startswith(b"W/") else v) for k, v in headers]
            headers.append((b"content-encoding", encoding.encode()))
        if body or scope["method"] == "GET":
            headers.append((b"content-length", str(len(body)).encode()))
        else:  # HEAD without a body (a static file): the length the application gave
            headers += [(k, v) for k, v in start.get("headers", []) if k.lower() == b"content-length"]
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def _compressed(self, body: bytes, encoding: str, tag: bytes | None, path: str) -> bytes:
        """The body in `encoding`, kept by (path, ETag) or, without an ETag, by the body's own hash."""
        key = (path, tag or hashlib.blake2b(body, digest_size=16).digest(), encoding)
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            found = compress(body, encoding)
            with self._lock:
                if len(found) <= CACHE_BYTES // 8:
                    self._cache[key] = found
        return found
