"""Serve the bundled demo site on 127.0.0.1 so ``trafficscan scan`` runs with no network.

The demo is crawled through exactly the same code path as a real source: a real HTTP server
on a random loopback port, robots.txt, rate limits and all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from trafficscan.core.resources import demo_dir
from trafficscan.sources.config import Config, load_config


class _QuietHandler(SimpleHTTPRequestHandler):
    # an instance attribute on the base (typeshed), so not a ClassVar here
    extensions_map = {  # noqa: RUF012
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/rss+xml",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_site(directory: str) -> Iterator[str]:
    """Serve ``directory`` on a random 127.0.0.1 port; yields the base URL."""
    handler = partial(_QuietHandler, directory=directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="trafficscan-demo", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_demo() -> Iterator[Config]:
    """Start the demo site and yield its config, pointed at the running server."""
    root = demo_dir()
    with serve_site(str(root / "site")) as base:
        text = (root / "demo.yaml").read_text(encoding="utf-8").replace("{base}", base)
        yield load_config("<bundled demo>/demo.yaml", text)
