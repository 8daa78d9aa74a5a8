"""HTTP helpers shared by every blueprint: plain-text errors and conditional GET."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request


def error(status: int, message: str) -> Response:
    """A short, readable error; never a stack trace."""
    return Response(message.rstrip() + "\n", status=status,
                    content_type="text/plain; charset=utf-8")


def etag_for(version: str, *parts: str) -> str:
    """A strong ETag from the graph version and what shaped the response."""
    digest = hashlib.sha256("\x1f".join((version, *parts)).encode("utf-8")).hexdigest()
    return digest[:32]


def conditional(response: Response, etag: str, last_modified: datetime | None = None,
                max_age: int | None = None) -> Response:
    """Set ETag / Last-Modified / Cache-Control and turn a matching request into a 304."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    if max_age is not None:
        response.cache_control.public = True
        response.cache_control.max_age = max_age
    return response.make_conditional(request)
