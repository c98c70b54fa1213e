"""Running the live app under uvicorn, with a header timeout: a client that opens a connection and never finishes
its request's headers (a slow-loris) is dropped after HEADER_SECONDS, so it cannot hold a connection for ever."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers take longer than `header_seconds`
    from its first byte (or from the connection, before any byte)."""

    header_seconds = HEADER_SECONDS

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer = self.loop.call_later(self.header_seconds, self._too_slow)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_seconds, self._too_slow)

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:  # no request under way: only its headers are late
            self.transport.close()


def configured(app, host: str, port: int):
    """A uvicorn server for the app, with the header timeout (run it, or run it in a thread)."""
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                         http=HeaderTimeoutProtocol))


def run(app, host: str, port: int) -> None:
    configured(app, host, port).run()
