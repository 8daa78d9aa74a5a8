"""Request headers that name the server (Host, SCRIPT_NAME, X-Forwarded-*) on a live server.

The attack: a client sends a header that changes the links of a page (a
``SCRIPT_NAME`` header of ``//evil.example`` turned ``Location`` into an
open redirect), and the page rendered for it is cached and served to
everyone after. Each test sends the hostile request first, then a clean
one, over real HTTP to ``asu-graph serve`` (Granian).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from .support import asu_server

EVIL = "evil.example"
# Pages whose rendered bodies are cached and carry links (linked_data render cache).
CACHED_PAGES = [
    "/page/mnhn",
    "/page/sorbonne-universite",
    "/",
    "/graph-view.json",
    "/ontology",
    "/validation",
    "/shapes",
    "/query",
    "/void",
    "/catalog",
    "/graph/alliance",
]


def _raw(
    url: str, path: str, headers: dict[str, str]
) -> tuple[int, CaseInsensitiveDict[str], bytes]:
    """One request with exactly these headers and this path (no client-side clean-up)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest("GET", path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        # Header names are case-insensitive (the server sends them in lower case).
        return response.status, CaseInsensitiveDict(response.getheaders()), response.read()
    finally:
        connection.close()


def _clean(url: str, path: str, accept: str = "text/html") -> requests.Response:
    response = requests.get(url + path, headers={"Accept": accept}, timeout=60)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    return response


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Served with the defaults: no trusted proxy."""
    with asu_server(tmp_path_factory.mktemp("direct")) as url:
        yield url


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Served behind a proxy on loopback: ASU_TRUSTED_PROXIES=127.0.0.1."""
    with asu_server(
        tmp_path_factory.mktemp("proxied"), env={"ASU_TRUSTED_PROXIES": "127.0.0.1"}
    ) as url:
        yield url


def test_script_name_header_is_no_open_redirect(direct: str) -> None:
    for path in (f"//{EVIL}/id/mnhn", "/id/mnhn"):
        status, headers, body = _raw(
            direct,
            path,
            {"Host": urlsplit(direct).netloc, "Accept": "text/html", "SCRIPT_NAME": f"//{EVIL}"},
        )
        # The path with the host in it is just an unknown path (404 naming it).
        assert status in (303, 404), (path, status, body[:200])
        assert EVIL not in headers.get("location", ""), (path, headers)
    redirect = requests.get(
        direct + "/id/mnhn", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30
    )
    assert redirect.status_code == 303 and redirect.headers["Location"] == "/page/mnhn"


def test_hostile_headers_never_reach_another_client(direct: str) -> None:
    hostile = {
        "Host": urlsplit(direct).netloc,
        "Accept": "text/html",
        "SCRIPT_NAME": f"//{EVIL}",
        "X-Forwarded-Host": EVIL,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Prefix": f"//{EVIL}",
        "Forwarded": f"host={EVIL};proto=https",
        "X-Forwarded-For": "192.0.2.1",
    }
    for path in CACHED_PAGES:
        status, _, body = _raw(direct, path, hostile)
        assert status < 500 and EVIL.encode() not in body, (path, status)
        assert b"https://127.0.0.1" not in body, path
    for path in CACHED_PAGES:
        assert EVIL not in _clean(direct, path).text, path


def test_a_foreign_host_header_stays_with_its_request(direct: str) -> None:
    """Host names the server in absolute links; the page cached for it is not shared."""
    for path in CACHED_PAGES:
        status, _, body = _raw(direct, path, {"Host": EVIL, "Accept": "text/html"})
        assert status < 500, (path, status)
    page = _raw(direct, "/page/mnhn", {"Host": EVIL, "Accept": "text/html"})[2]
    assert f"http://{EVIL}/page/mnhn".encode() in page  # the canonical link of that request
    for path in CACHED_PAGES:
        assert EVIL not in _clean(direct, path).text, path
    for path in ("/data/mnhn.ttl", "/ontology.ttl"):
        _raw(direct, path, {"Host": EVIL})
        assert EVIL not in _clean(direct, path, "*/*").text


def test_trusted_proxy_sets_scheme_host_and_prefix(proxied: str) -> None:
    forwarded = {
        "Host": urlsplit(proxied).netloc,
        "Accept": "text/html",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "data.example.org",
        "X-Forwarded-Prefix": "/asu",
        "X-Forwarded-For": "198.51.100.4",
    }
    status, headers, _ = _raw(proxied, "/id/mnhn", forwarded)
    assert status == 303 and headers["location"] in (
        "/asu/page/mnhn",
        "https://data.example.org/asu/page/mnhn",
    ), headers
    status, _, body = _raw(proxied, "/page/mnhn", forwarded)
    assert status == 200
    assert b'rel="canonical" href="https://data.example.org/asu/page/mnhn"' in body
    # The same path asked without a proxy's headers: its own links, not the proxied ones.
    plain = _clean(proxied, "/page/mnhn").text
    assert "data.example.org" not in plain and 'href="/asu/' not in plain


def test_trusted_proxy_cannot_forward_a_host_as_prefix(proxied: str) -> None:
    """A proxy that passes a client's X-Forwarded-Prefix through still cannot redirect away."""
    for prefix in (f"//{EVIL}", f"http://{EVIL}", f"/ok/..//{EVIL}x\\y"):
        status, headers, body = _raw(
            proxied,
            "/id/mnhn",
            {"Host": urlsplit(proxied).netloc, "Accept": "text/html", "X-Forwarded-Prefix": prefix},
        )
        assert status == 400, (prefix, status, headers)
        assert b"X-Forwarded-Prefix" in body
        assert EVIL not in headers.get("location", "")


def test_untrusted_peer_gets_no_say(tmp_path: Path) -> None:
    """Trusting another address does not make loopback clients trusted."""
    with asu_server(tmp_path, env={"ASU_TRUSTED_PROXIES": "192.0.2.0/24"}) as url:
        status, headers, body = _raw(
            url,
            "/page/mnhn",
            {
                "Host": urlsplit(url).netloc,
                "Accept": "text/html",
                "X-Forwarded-Host": EVIL,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Prefix": "/asu",
            },
        )
        assert status == 200
        assert EVIL.encode() not in body and b'href="/asu/' not in body


def test_bad_trusted_proxy_setting_is_refused_at_start() -> None:
    from asu_graph.config import Settings

    with pytest.raises(ValueError, match="ASU_TRUSTED_PROXIES"):
        Settings.from_env({"ASU_TRUSTED_PROXIES": "proxy.example"})
    assert Settings.from_env(
        {"ASU_TRUSTED_PROXIES": "10.0.0.1, 2001:db8::/48"}
    ).trusted_proxies == ("10.0.0.1", "2001:db8::/48")
