"""A TCP listener on 127.0.0.1 that records every connection it receives."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Accepts and drops connections, counting them; the port the corpus aims at."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.connections.append(peer)
            conn.close()

    @property
    def url(self) -> str:
        """A SPARQL endpoint address on the listener (what SERVICE clauses aim at)."""
        return f"http://127.0.0.1:{self.port}/sparql"

    def close(self) -> None:
        self.sock.close()
