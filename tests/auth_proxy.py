"""An authenticating reverse proxy, as operators put in front of a store without auth.

Oxigraph server has no access control of its own; deployments put it behind
a proxy that checks credentials. This one accepts HTTP Basic (USER:PASSWORD)
or a bearer token, answers 401 with a Basic challenge otherwise, and passes
every other request on to the upstream store unchanged.

    python -m tests.auth_proxy PORT UPSTREAM_URL
    (credentials from PROXY_USER, PROXY_PASSWORD, PROXY_TOKEN)
"""

from __future__ import annotations

import base64
import hmac
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
    "host",
    "authorization",
    "content-encoding",
}


def _allowed(header: str, user: str, password: str, token: str) -> bool:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return hmac.compare_digest(value.strip(), token)
    if scheme.lower() == "basic" and user:
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return hmac.compare_digest(value.strip(), expected)
    return False


def make_handler(upstream: str, user: str, password: str, token: str) -> type:
    session = requests.Session()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: object) -> None:  # quiet
            pass

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if not _allowed(self.headers.get("Authorization", ""), user, password, token):
                message = b"credentials required\n"
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            try:
                answer = session.request(
                    self.command,
                    upstream + self.path,
                    data=body,
                    headers=headers,
                    timeout=60,
                    stream=False,
                )
            except requests.ConnectionError:
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content = answer.content
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

    return Handler


def main() -> None:
    port, upstream = int(sys.argv[1]), sys.argv[2].rstrip("/")
    handler = make_handler(
        upstream,
        os.environ.get("PROXY_USER", ""),
        os.environ.get("PROXY_PASSWORD", ""),
        os.environ.get("PROXY_TOKEN", ""),
    )
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
