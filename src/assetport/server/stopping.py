"""Stopping `assetport serve` on SIGTERM exactly as on SIGINT.

Why SIGTERM used to end the server with exit status 143: uvicorn's `Server.serve` runs
inside `capture_signals`, which installs its own SIGINT and SIGTERM handlers with
`signal.signal`; once the server has shut down it puts the previous handlers back and
raises every captured signal again with `signal.raise_signal`, so that the embedding
program "sees" it. For SIGINT the previous handler is Python's, which raises
KeyboardInterrupt, and `serve` unwound through its `finally` (snapshot, files removed).
For SIGTERM the previous handler is the default action, which ends the process on the
spot (128 + 15) before any `finally` runs: no final snapshot, `server.json` and SQLite's
-wal/-shm files left behind.

So the server runs with uvicorn's capture turned off, and the event loop's own handlers
ask it to exit, the same way for both signals; the shutdown is the server's `finally`.
"""

import asyncio
import contextlib
import signal
from collections.abc import Iterator

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class EmbeddedServer(uvicorn.Server):
    """uvicorn's server, stopped by its embedder (`StopOnSignals`) rather than by signals
    it installs and re-raises itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class StopOnSignals:
    """From its creation on, SIGTERM and SIGINT ask the server to exit (a second one
    forces it: open connections are no longer waited for). A signal that comes before the
    server is attached is kept and applied when it is."""

    def __init__(self) -> None:
        self.requested = False
        self._server: uvicorn.Server | None = None
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, self._on_signal)

    def attach(self, server: uvicorn.Server) -> None:
        self._server = server
        if self.requested:
            server.should_exit = True

    def _on_signal(self) -> None:
        server = self._server
        if server is not None:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True
        self.requested = True
