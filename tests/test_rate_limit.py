"""The rate limit: IPv6 clients per network, never failing open, on by default beyond loopback."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from pathlib import Path

import pytest
import requests

from asu_graph.config import DEFAULT_PUBLIC_RATE_LIMIT, Settings
from asu_graph.web.security import RateLimiter, client_key

from .support import asu_server

# -- who is a client ----------------------------------------------------------------------


def test_ipv6_clients_are_counted_per_64() -> None:
    one = client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    assert one == client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert one != client_key("2001:db8:1:3::1")
    assert client_key("2001:db8:1:2::1", 48) == client_key("2001:db8:1:ffff::1", 48)
    assert client_key("2001:db8:1:2::1", 128) != client_key("2001:db8:1:2::2", 128)


def test_ipv4_clients_are_single_addresses_also_when_mapped() -> None:
    assert client_key("198.51.100.7") == "198.51.100.7" != client_key("198.51.100.8")
    assert client_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key(None) == "unknown"


def test_prefix_length_setting() -> None:
    assert Settings.from_env({}).rate_limit_ipv6_prefix == 64
    assert Settings.from_env({"ASU_RATE_LIMIT_IPV6_PREFIX": "56"}).rate_limit_ipv6_prefix == 56
    with pytest.raises(ValueError, match="ASU_RATE_LIMIT_IPV6_PREFIX"):
        Settings.from_env({"ASU_RATE_LIMIT_IPV6_PREFIX": "129"})


# -- never fails open -----------------------------------------------------------------------


def test_full_slots_refuse_instead_of_letting_through() -> None:
    """Every slot a client could use is held by clients within their minute: 429, not 200."""
    limiter = RateLimiter(60)
    now = 1000.0
    target = limiter._key("203.0.113.5")
    for probe in range(limiter._PROBES):  # what an attacker would need to arrange
        offset = ((target + probe) % limiter._SLOTS) * limiter._SLOT.size
        limiter._SLOT.pack_into(limiter._table, offset, target + 1000 + probe, now + 30)
    for _ in range(5):
        assert limiter.hit("203.0.113.5", now) >= 1.0
    # When those clients' minute has passed, their slots are free again.
    assert limiter.hit("203.0.113.5", now + 31) == 0


def test_slots_cannot_be_aimed_at_from_outside() -> None:
    """The slot hash is keyed with a secret drawn at start: two limiters place a client apart."""
    first, second = RateLimiter(10), RateLimiter(10)
    clients = [f"198.51.100.{n}" for n in range(20)]
    assert [first._key(c) for c in clients] != [second._key(c) for c in clients]


def test_a_worker_killed_while_counting_does_not_block_the_others() -> None:
    """The cross-process lock is released by the kernel when its holder dies."""
    limiter = RateLimiter(10)
    pid = os.fork()
    if pid == 0:
        fcntl.lockf(limiter._file, fcntl.LOCK_EX)
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    result: list[float] = []
    worker = threading.Thread(target=lambda: result.append(limiter.hit("192.0.2.1", 5.0)))
    worker.start()
    worker.join(timeout=20)
    assert result == [0.0]


def test_limit_holds_for_each_client_across_a_burst() -> None:
    limiter = RateLimiter(5)
    answers = [limiter.hit("192.0.2.9", 50.0) for _ in range(8)]
    assert answers[:5] == [0.0] * 5 and all(wait > 0 for wait in answers[5:])


# -- the default -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "setting", "expected"),
    [
        ("127.0.0.1", -1, 0),
        ("::1", -1, 0),
        ("localhost", -1, 0),
        ("0.0.0.0", -1, DEFAULT_PUBLIC_RATE_LIMIT),
        ("::", -1, DEFAULT_PUBLIC_RATE_LIMIT),
        ("192.0.2.10", -1, DEFAULT_PUBLIC_RATE_LIMIT),
        ("data.example.org", -1, DEFAULT_PUBLIC_RATE_LIMIT),
        ("0.0.0.0", 0, 0),
        ("0.0.0.0", 20, 20),
        ("127.0.0.1", 20, 20),
    ],
)
def test_a_server_reachable_from_outside_is_limited_unless_told(
    host: str, setting: int, expected: int
) -> None:
    assert Settings(host=host, rate_limit=setting).effective_rate_limit == expected


def test_default_limit_applies_to_remote_clients_of_a_public_server() -> None:
    from asu_graph.web import create_app

    app = create_app(Settings(host="0.0.0.0"))
    client = app.test_client()
    allowed, refused = 0, None
    # The budget refills as time passes (one request per 0.2 s), hence "at least".
    for n in range(3 * DEFAULT_PUBLIC_RATE_LIMIT):
        # Addresses of one /64 are one client.
        response = client.get(
            "/no-such-page", environ_base={"REMOTE_ADDR": f"2001:db8:7:7::{n % 50 + 1:x}"}
        )
        if response.status_code == 429:
            refused = response
            break
        allowed += 1
    assert refused is not None and allowed >= DEFAULT_PUBLIC_RATE_LIMIT
    assert int(refused.headers["Retry-After"]) >= 1
    assert "2001:db8:7:7::/64" in refused.get_data(as_text=True)
    other = client.get("/no-such-page", environ_base={"REMOTE_ADDR": "2001:db8:7:8::1"})
    assert other.status_code == 404
    loopback = client.get("/no-such-page", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert loopback.status_code == 404


# -- over HTTP --------------------------------------------------------------------------------


def _ask(url: str, forwarded_for: str) -> int:
    return requests.get(
        f"{url}/sparql",
        params={"query": "ASK {}"},
        timeout=30,
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


def test_behind_a_trusted_proxy_ipv6_clients_share_their_64(tmp_path: Path) -> None:
    env = {"ASU_RATE_LIMIT": "3", "ASU_TRUSTED_PROXIES": "127.0.0.1"}
    with asu_server(tmp_path, env=env) as url:
        same_network = [_ask(url, f"2001:db8:42:1::{n:x}") for n in range(1, 6)]
        assert same_network[:3] == [200, 200, 200] and same_network[3:] == [429, 429]
        assert _ask(url, "2001:db8:42:2::1") == 200  # the next /64 is someone else
        assert _ask(url, "198.51.100.20") == 200


def test_a_direct_client_cannot_escape_by_naming_other_addresses(tmp_path: Path) -> None:
    env = {"ASU_RATE_LIMIT": "3", "ASU_RATE_LIMIT_LOOPBACK": "true"}
    with asu_server(tmp_path, env=env) as url:
        pass_through = [_ask(url, f"198.51.100.{n}") for n in range(1, 7)]
    # The readiness probes spend some of the budget; rotating X-Forwarded-For
    # never buys more.
    assert pass_through.count(200) <= 3 and pass_through[-1] == 429, pass_through
