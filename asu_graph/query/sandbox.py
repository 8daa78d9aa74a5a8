"""No network for the processes that run queries: a second line behind the query check.

The query check (guard.py) refuses every query that names another endpoint
or a URL to load. Should a spelling ever get past it (a parser bug in the
check or in an engine), the engine would still have to open a connection,
and the processes that run queries on embedded stores cannot: the helper
process that forks the query workers (executor.py) cuts itself off the
network before it forks any, and the workers inherit that.

Methods, in the order ``auto`` tries them:

``netns``
    ``unshare(CLONE_NEWNET)``: a new network namespace with only a loopback
    interface that is down, so every ``connect`` fails with "network is
    unreachable". Needs CAP_SYS_ADMIN (root, or a container that allows it).
``userns``
    ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``: the same for an unprivileged
    user, where the kernel allows user namespaces. The process must be
    single-threaded, which the freshly forked helper is.
``seccomp``
    a seccomp filter (libseccomp through ``pyseccomp``) that makes
    ``socket()`` fail with EACCES for every address family but AF_UNIX, and
    refuses io_uring (which could create sockets without that call).

Unix sockets named by a path keep working in every case: that is how the
serving processes talk to the workers. If no method works, the helper does
not start and the server says why (fail closed); ``ASU_QUERY_SANDBOX=off``
runs without this second line, and so does a non-empty
``ASU_SERVICE_ALLOWLIST``, whose endpoints the engines must reach.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket

METHODS = ("netns", "userns", "seccomp")
SETTINGS = ("auto", "off", *METHODS)

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


class SandboxError(RuntimeError):
    """No way to take the network away from the query processes on this system."""


def _unshare(flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _map_own_user() -> None:
    """Inside a new user namespace, keep our own user and group ids (cosmetic)."""
    uid, gid = os.getuid(), os.getgid()
    for name, content in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        try:
            with open(f"/proc/self/{name}", "w", encoding="ascii") as file:
                file.write(content)
        except OSError:
            return


def _seccomp() -> None:
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as exc:  # RuntimeError: libseccomp is missing
        raise OSError(errno.ENOSYS, f"pyseccomp / libseccomp unavailable: {exc}") from None
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.add_rule(
        seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX)
    )
    for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        try:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), call)
        except OSError:  # a kernel or libseccomp without io_uring: nothing to refuse
            pass
    rules.load()


def _apply(method: str) -> None:
    if method == "netns":
        _unshare(_CLONE_NEWNET)
    elif method == "userns":
        _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
        _map_own_user()
    elif method == "seccomp":
        _seccomp()
    else:
        raise ValueError(f"unknown sandbox method {method!r}")


def network_blocked() -> bool:
    """Whether this process can open no TCP connection (tried on 127.0.0.1, port 1)."""
    for family, address in ((socket.AF_INET, ("127.0.0.1", 1)), (socket.AF_INET6, ("::1", 1))):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.settimeout(2)
                probe.connect(address)
        except OSError as exc:
            if exc.errno in (errno.ECONNREFUSED, errno.ETIMEDOUT) or isinstance(exc, TimeoutError):
                return False  # the packet went out: the network is there
            continue
        return False
    return True


def isolate(setting: str = "auto") -> str:
    """Take the network away from this process and the processes it forks.

    Returns the method that worked ("off" when told to do nothing); raises
    SandboxError, saying what was tried, when none did.
    """
    if setting == "off":
        return "off"
    if setting not in SETTINGS:
        raise SandboxError(f"ASU_QUERY_SANDBOX={setting!r}: expected one of {', '.join(SETTINGS)}")
    tried = []
    for method in METHODS if setting == "auto" else (setting,):
        try:
            _apply(method)
        except OSError as exc:
            tried.append(f"{method}: {exc.strerror or exc}")
            continue
        if network_blocked():
            return method
        tried.append(f"{method}: applied, but a connection still got through")
    raise SandboxError(
        "The query processes cannot be cut off the network on this system ("
        + "; ".join(tried)
        + "). Run as root, allow unprivileged user namespaces, or "
        "install libseccomp; or set ASU_QUERY_SANDBOX=off to run without this "
        "second line of defence (the query check still refuses SERVICE, LOAD and FROM)."
    )
