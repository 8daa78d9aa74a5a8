"""Where queries run: in killable worker processes, so a timeout really stops the work.

A thread cannot be stopped from outside in Python, and neither Oxigraph nor
rdflib offers a way to abandon a query already running: a runaway cross
product would keep a CPU busy long after its client gave up. So each query
of an embedded store runs in a separate process, and when the query timeout
expires that process is killed (SIGKILL) and the client gets a 503; the next
query gets a fresh process. A query that crashes its engine (Oxigraph's
parser overflows its stack on absurd nesting) or exhausts its memory limit
only takes its own worker down.

How the processes come to be: when the service starts (before the HTTP server forks
its workers, while the process is still single-threaded) a small *zygote*
process is forked; it holds the loaded store, copy-on-write, and does nothing
but fork a query worker for each connection it receives on a Unix socket in a
private (0700) temporary folder. Every serving process keeps a pool of idle
connections to its own workers. An on-disk Oxigraph store is opened again,
read-only, inside each worker rather than shared across ``fork``.

Lifetimes are tied together without a supervisor: the zygote exits when the
last process holding its lifeline pipe is gone (or on SIGTERM), a worker exits
when its connection closes, and a worker that loses its client mid-query is
stopped by its own alarm shortly after the timeout.

Remote stores are not run here: their answers already come over HTTP, and the
HTTP timeout of the remote store bounds them (``InlineExecutor``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import pickle
import re
import resource
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from asu_graph.query import cap as result_cap
from asu_graph.query import describe
from asu_graph.query.jobs import Answer, Job, NotAcceptable, QueryError, QueryFailed, QueryTimeout
from asu_graph.query.sandbox import SandboxError
from asu_graph.query.sandbox import isolate as isolate_network
from asu_graph.sparql.guard import QueryRefused
from asu_graph.store import QueryAnswerError, QuerySyntaxError, Store
from asu_graph.store.http import deadline_within

log = logging.getLogger("asu_graph.query.executor")

WORKER_NICENESS = 5
"""How much lower than the serving processes query workers are scheduled."""

_FRAME = struct.Struct("!Q")
_ALARM_GRACE = 5  # seconds a worker outlives its timeout if its client vanished
# How engines report a connection the sandbox stopped: no route (network
# namespace) or a refused socket() (seccomp).
_NO_NETWORK = re.compile(
    r"Network is unreachable|(?:os error|Errno) 101\b"
    r"|Permission denied \(os error 13\)|Errno 13\] Permission denied"
)
_READY_TIMEOUT = 60.0  # opening an on-disk store read-only can take a moment


class _EngineError(Exception):
    """An engine failure in a worker, carried back as its text (the engine's own
    exception class may not exist, or not unpickle, in the serving process)."""


def execute(store: Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` in this process: an ``Answer`` with the result cap applied."""
    # DESCRIBE gets the project's bounded description, whatever the engine.
    result = describe.query(
        store,
        job.text,
        limit=job.cap if job.cap > 0 else 1000,
        prefixes=dict(job.prefixes),
        union_default_graph=job.union_default_graph,
        default_graphs=list(job.default_graphs) if job.default_graphs is not None else None,
        named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
        base_iri=job.base_iri,
    )
    fmt = dict(job.formats).get(result.kind)
    if fmt is None:
        raise NotAcceptable(result.kind)
    capped = result_cap.serialize(result, fmt, job.cap)
    return Answer(result.kind, fmt, capped.body, truncated=capped.truncated, size=capped.count)


class Executor:
    """Runs jobs; ``timeout`` in seconds, None or <= 0 for no limit."""

    isolated = False

    def run(self, job: Job, timeout: float | None) -> Answer:
        raise NotImplementedError

    def close(self) -> None:
        """Stop helper processes, if any."""


class InlineExecutor(Executor):
    """In the calling thread: for remote stores (HTTP timeouts) and one-shot CLI use.

    ``store`` may be a callable returning the store, to follow a store that is
    replaced after the executor was made.
    """

    def __init__(self, store: Store | Callable[[], Store]) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store if isinstance(self._store, Store) else self._store()

    def run(self, job: Job, timeout: float | None) -> Answer:
        # A remote store's exchanges for this job share the query timeout (store/http.py).
        with deadline_within(timeout):
            return execute(self.store, job)


# -- framing ----------------------------------------------------------------------


def _send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_FRAME.pack(len(data)) + data)


def _recv_exact(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    chunks, missing = [], size
    while missing:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket, deadline: float | None = None) -> object | None:
    """The next message, or None when the other side closed the connection."""
    header = _recv_exact(sock, _FRAME.size, deadline)
    if header is None:
        return None
    body = _recv_exact(sock, _FRAME.unpack(header)[0], deadline)
    return None if body is None else pickle.loads(body)


# -- the worker process --------------------------------------------------------------


def _limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at its current size plus ``extra_bytes``."""
    if extra_bytes <= 0:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(
                int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")
            )
    except (OSError, StopIteration, ValueError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size + extra_bytes
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _peak_bytes() -> int:
    """The most memory this process has held at once (one system call: it runs after
    every query). A fork starts from its size at the fork."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _serve(conn: socket.socket, opener: Callable[[], Store], memory_bytes: int) -> None:
    # Nothing the serving side had open (its listening socket among them, when a
    # zygote is started again after the server is up) is a query's business.
    keep = conn.fileno()
    os.closerange(3, keep)
    most = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    os.closerange(keep + 1, most if 0 < most < 1 << 20 else 1 << 20)
    try:
        store = opener()
    except Exception as exc:  # tell the client why, instead of just hanging up
        _send(conn, ("failed", f"{type(exc).__name__}: {exc}"))
        return
    _limit_memory(memory_bytes)
    baseline = _peak_bytes()
    _send(conn, ("ready", os.getpid()))
    while True:
        message = _recv(conn)
        if message is None:
            return
        # Only the serving side writes to this socket: a (Job, seconds) pair.
        job, seconds = cast(tuple[Job, float], message)
        # Backstop: if the client died without killing us, stop on our own.
        signal.alarm(math.ceil(seconds) + _ALARM_GRACE if seconds else 0)
        retire = False
        # The answer, or the exception the caller raises as it is: the errors
        # the query service knows (jobs.py, the stores' syntax and answer errors)
        # travel pickled, status and message included.
        reply: Answer | Exception
        try:
            reply = execute(store, job)
        except (QuerySyntaxError, QueryAnswerError, QueryError) as exc:
            reply = exc
        except MemoryError as exc:
            reply, retire = exc, True
        except Exception as exc:  # the engine's own runtime errors, reported as such
            reply = _EngineError(f"{type(exc).__name__}: {exc}")
        signal.alarm(0)
        # How far this process has grown since it was ready (at its peak: memory
        # is not always given back): its client decides whether to keep it.
        _send(conn, (reply, _peak_bytes() - baseline))
        if retire:
            return


# -- the zygote -----------------------------------------------------------------------

_LIFELINES: set[int] = set()  # write ends held by this process, one per zygote


def _zygote(
    listener: socket.socket,
    lifeline: int,
    opener: Callable[[], Store],
    memory_bytes: int,
    folder: str,
) -> None:
    def leave(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, not us
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    # Query workers yield the CPU to the serving processes: while runaway queries burn
    # until their timeout, pages and cached answers still get the processor first.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    try:
        while True:
            ready, _, _ = select.select([listener, lifeline], [], [])
            if lifeline in ready:
                return
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    listener.close()
                    os.close(lifeline)
                    for signum in (signal.SIGTERM, signal.SIGCHLD):
                        signal.signal(signum, signal.SIG_DFL)
                    _serve(conn, opener, memory_bytes)
                except BaseException:  # noqa: BLE001 - a worker just ends; its client reports
                    code = 1
                os._exit(code)
            conn.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start_zygote(
    opener: Callable[[], Store], memory_bytes: int, sandbox: str = "auto"
) -> tuple[str, int, int, str]:
    folder = tempfile.mkdtemp(prefix="asu-graph-workers-")  # mode 0700: ours only
    path = os.path.join(folder, "zygote.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    read_end, write_end = os.pipe()
    status_read, status_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(write_end)
            os.close(status_read)
            for fd in _LIFELINES:  # other zygotes' lifelines must not be kept alive here
                try:
                    os.close(fd)
                except OSError:
                    pass
            # Off the network before any worker exists (sandbox.py); the socket
            # above is a path, which keeps working in a new network namespace.
            try:
                report = "ok " + isolate_network(sandbox)
            except SandboxError as exc:
                report = "error " + str(exc)
            os.write(status_write, report.encode("utf-8", "replace")[:60000])
            os.close(status_write)
            if report.startswith("ok "):
                _zygote(listener, read_end, opener, memory_bytes, folder)
        finally:
            os._exit(0)
    os.close(read_end)
    os.close(status_write)
    listener.close()
    with os.fdopen(status_read, "rb") as status:
        report = status.read().decode("utf-8", "replace")
    if not report.startswith("ok "):
        os.close(write_end)
        os.waitpid(pid, 0)
        shutil.rmtree(folder, ignore_errors=True)
        raise SandboxError(report.removeprefix("error ") or "the query worker helper died")
    log.info(
        "query workers: network access %s", "on" if report == "ok off" else f"off ({report[3:]})"
    )
    _LIFELINES.add(write_end)
    return path, write_end, pid, folder


@dataclass
class _Zygote:
    """The zygote this process started, and what to clean up after it (mutable: it may
    be replaced by a new one)."""

    pid: int
    lifeline: int
    folders: list[str]
    closing: bool = False


def _shutdown(owner: int, zygote: _Zygote, idle: list) -> None:
    for worker in idle:
        worker.close()
    idle.clear()
    if os.getpid() != owner:
        return
    zygote.closing = True  # the supervisor must not start a new one now
    _LIFELINES.discard(zygote.lifeline)
    try:
        os.close(zygote.lifeline)
    except OSError:
        pass
    try:
        os.kill(zygote.pid, signal.SIGTERM)
        os.waitpid(zygote.pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    for folder in zygote.folders:
        shutil.rmtree(folder, ignore_errors=True)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def _own_memory(pid: int) -> int:
    """Bytes a process holds for itself: pages it wrote that no other process shares.

    Not its RSS: query workers share the loaded store with the zygote, and
    counting those pages once per worker would exhaust any budget at once.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Supervisor(threading.Thread):
    """In the process that started the zygote: restarts it if it dies, and keeps all
    query workers together within one memory budget (``total_bytes``, 0: none).

    Serving processes find the zygote by its socket path, so a new zygote takes
    over the old one's path and nobody has to be told. If no new zygote can be
    started, this process is asked to stop (SIGTERM), so that whatever
    supervises the server restarts it, rather than answering 503 for ever.
    """

    INTERVAL = 0.2

    def __init__(self, executor: ProcessExecutor, total_bytes: int) -> None:
        super().__init__(name="asu-graph-zygote-supervisor", daemon=True)
        # Weak: an executor nobody uses any more is still finalized (its zygote stopped).
        self.executor = weakref.ref(executor)
        self.zygote = executor._zygote
        self.total_bytes = total_bytes
        self.stopping = threading.Event()

    def run(self) -> None:
        zygote = self.zygote
        while not self.stopping.wait(self.INTERVAL) and not zygote.closing:
            try:
                if self._exited(zygote.pid):
                    executor = self.executor()
                    if executor is None:
                        return
                    self._restart(executor, zygote)
                    del executor
                if self.total_bytes > 0:
                    self._within_budget(zygote.pid)
            except Exception:  # noqa: BLE001 - the watch must go on
                log.exception("supervising the query workers failed")

    @staticmethod
    def _exited(pid: int) -> bool:
        try:
            return os.waitpid(pid, os.WNOHANG)[0] == pid
        except ChildProcessError:
            return True

    def _restart(self, executor: ProcessExecutor, zygote: _Zygote) -> None:
        if zygote.closing:
            return
        log.error(
            "the process that starts query workers (pid %s) exited; starting a new one", zygote.pid
        )
        try:
            path, lifeline, pid, folder = _start_zygote(
                executor._opener, executor._memory_bytes, executor._sandbox
            )
            try:
                os.replace(path, executor._path)
            except FileNotFoundError:  # the old zygote removed its folder on the way out
                os.rename(folder, os.path.dirname(executor._path))
        except (OSError, SandboxError):
            log.exception("no new zygote could be started; stopping the server")
            os.kill(os.getpid(), signal.SIGTERM)
            self.stopping.set()
            return
        _LIFELINES.discard(zygote.lifeline)
        try:
            os.close(zygote.lifeline)
        except OSError:
            pass
        zygote.pid, zygote.lifeline = pid, lifeline
        zygote.folders.append(folder)

    def _within_budget(self, zygote: int) -> None:
        usage = {pid: _own_memory(pid) for pid in _children(zygote)}
        total = sum(usage.values())
        if total <= self.total_bytes:
            return
        largest = max(usage, key=usage.__getitem__)
        log.warning(
            "query workers hold %d MiB together (budget %d MiB): stopping the "
            "largest (pid %s, %d MiB)",
            total >> 20,
            self.total_bytes >> 20,
            largest,
            usage[largest] >> 20,
        )
        try:
            os.kill(largest, signal.SIGKILL)
        except ProcessLookupError:
            pass


# -- the client side --------------------------------------------------------------------


class _Worker:
    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.sock = sock
        self.pid = pid
        try:  # a pidfd names this very process, even if its PID is reused later
            self.pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = None

    def alive(self) -> bool:
        """False once the process has exited (a pidfd becomes readable then)."""
        if self.pidfd is None:
            return True
        poller = select.poll()
        poller.register(self.pidfd, select.POLLIN)
        return not poller.poll(0)

    def kill(self) -> None:
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.pidfd is not None:
                os.close(self.pidfd)
                self.pidfd = None


_MEMORY_FAILURE = (
    "The query needed more memory than this service gives one query, or "
    "than all running queries may hold together, and was stopped. Narrow it "
    "down (more specific patterns, LIMIT)."
)


class ProcessExecutor(Executor):
    """Each query in a worker process forked from a zygote; killed when it overruns.

    ``memory_bytes``: what one query may allocate; ``total_memory_bytes``: what all
    query workers may hold together (the largest is stopped past it);
    ``recycle_bytes``: a worker that grew more than this during its queries exits
    after its answer instead of going back to the pool (0: kept).
    """

    isolated = True
    RECONNECT_WAIT = 3.0  # seconds a query waits for a zygote being restarted

    def __init__(
        self,
        opener: Callable[[], Store],
        *,
        memory_bytes: int = 0,
        total_memory_bytes: int = 0,
        recycle_bytes: int = 0,
        sandbox: str = "auto",
    ) -> None:
        self._opener = opener
        self._memory_bytes = memory_bytes
        self._sandbox = sandbox
        self.recycle_bytes = recycle_bytes
        self._path, lifeline, pid, folder = _start_zygote(opener, memory_bytes, sandbox)
        self._zygote = _Zygote(pid, lifeline, [folder])
        self._owner = os.getpid()
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _shutdown, self._owner, self._zygote, self._idle)
        self._supervisor = _Supervisor(self, total_memory_bytes)
        self._supervisor.start()

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    def _checkout(self) -> _Worker:
        with self._lock:
            if os.getpid() != self._owner:
                # A forked serving process: the idle connections belong to the parent.
                for inherited in self._idle:
                    inherited.close()
                self._idle.clear()
                self._owner = os.getpid()
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.close()  # stopped while idle (memory budget): not this query's fault
        return self._spawn()

    def _spawn(self) -> _Worker:
        deadline = time.monotonic() + self.RECONNECT_WAIT
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self._path)
                hello = _recv(sock, time.monotonic() + _READY_TIMEOUT)
                if hello is None:
                    raise ConnectionResetError("the zygote closed the connection")
                break
            except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError) as exc:
                # The zygote is gone (or went while we were connecting); its
                # supervisor starts a new one at this path.
                sock.close()
                if time.monotonic() > deadline:
                    raise QueryFailed(
                        f"No query worker is available ({exc}); try again later."
                    ) from None
                time.sleep(0.05)
            except OSError as exc:
                sock.close()
                raise QueryFailed(
                    f"No query worker is available ({exc}); try again later."
                ) from None
        if not (isinstance(hello, tuple) and hello[0] == "ready"):
            sock.close()
            why = hello[1] if isinstance(hello, tuple) else "no answer"
            log.error("a query worker could not open the store: %s", why)
            raise QueryFailed("A query worker could not open the store; try again later.")
        return _Worker(sock, hello[1])

    def _checkin(self, worker: _Worker, grown: int) -> None:
        if self.recycle_bytes and grown > self.recycle_bytes:
            # Memory a large answer took is seldom given back to the system:
            # let this worker exit (its connection closing ends it) rather
            # than keep it idle.
            worker.close()
            return
        with self._lock:
            if os.getpid() == self._owner:
                self._idle.append(worker)
                return
        worker.close()

    def run(self, job: Job, timeout: float | None) -> Answer:
        seconds = timeout if timeout and timeout > 0 else 0
        worker = self._checkout()
        try:
            worker.sock.settimeout(None)
            _send(worker.sock, (job, seconds))
            reply = _recv(worker.sock, time.monotonic() + seconds if seconds else None)
        except TimeoutError:
            worker.kill()
            log.warning(
                "query stopped after %ss (worker %s killed): %.200r", seconds, worker.pid, job.text
            )
            raise QueryTimeout(
                f"The query did not finish within {seconds:g} seconds and was stopped. "
                "Narrow it down (more specific patterns, LIMIT) and try again."
            ) from None
        except (OSError, EOFError, pickle.UnpicklingError):
            reply = None
        if reply is None:
            worker.kill()
            raise QueryFailed(
                "The process running this query stopped unexpectedly: it "
                "went past the memory one query, or all running queries "
                "together, may use, or its engine failed. The query was not "
                "answered; narrow it down (more specific patterns, LIMIT)."
            )
        # The worker's reply: its answer or exception, and how far it has grown.
        payload, grown = cast(tuple[object, int], reply)
        if isinstance(payload, MemoryError):
            worker.kill()
            raise QueryFailed(_MEMORY_FAILURE)
        self._checkin(worker, grown)
        if isinstance(payload, Answer):
            return payload
        if _NO_NETWORK.search(str(payload)):  # the sandbox at work (sandbox.py)
            # Whatever kind of error the engine made of it (an evaluation error of SERVICE,
            # a runtime error): the query wanted the network, which its process lacks.
            raise QueryRefused(
                "The query tried to open a network connection, which the "
                "processes running queries cannot do on this service."
            )
        if isinstance(payload, (QuerySyntaxError, QueryAnswerError, QueryError)):
            raise payload
        # An engine failure nobody foresaw: logged in full, and a 503 for the client.
        log.error("query failed in worker %s: %s; query: %.200r", worker.pid, payload, job.text)
        raise QueryFailed("The query engine failed on this query; it was not answered.")

    def close(self) -> None:
        self._supervisor.stopping.set()
        with self._lock:
            self._finalizer()


def _read_only_oxigraph(path: str) -> Store:
    import pyoxigraph as ox

    from asu_graph.store.oxigraph import OxigraphStore

    # Right after a load the primary instance may still be removing obsolete
    # files in the background; a read-only open racing it fails, so try again.
    for attempt in range(20):
        try:
            native = ox.Store.read_only(path)
            break
        except OSError:
            if attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    return OxigraphStore.over(native)


def executor_for(
    store: Store,
    *,
    memory_bytes: int = 0,
    total_memory_bytes: int = 0,
    recycle_bytes: int = 0,
    sandbox: str = "auto",
) -> Executor:
    """Worker processes for embedded stores, off the network (``sandbox``, see
    sandbox.py); in-thread for remote ones."""
    from asu_graph.store.memory import MemoryStore
    from asu_graph.store.oxigraph import OxigraphStore

    limits: dict[str, Any] = {
        "memory_bytes": memory_bytes,
        "total_memory_bytes": total_memory_bytes,
        "recycle_bytes": recycle_bytes,
        "sandbox": sandbox,
    }
    if isinstance(store, OxigraphStore) and store.path:
        path = str(store.path)
        return ProcessExecutor(lambda: _read_only_oxigraph(path), **limits)
    # Embedded stores held in memory are shared with the workers by fork.
    if isinstance(store, OxigraphStore | MemoryStore) or store.name == "oxrdflib":
        return ProcessExecutor(lambda: store, **limits)
    return InlineExecutor(store)
