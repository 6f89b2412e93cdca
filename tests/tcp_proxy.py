"""A TCP proxy on loopback between the ledger and PostgreSQL that can lose a COMMIT's answer.

The ambiguous commit, deterministically: once armed, the first connection that sends
``COMMIT`` has it forwarded to the server; the proxy waits until the server has answered
``COMMIT`` (the transaction is durable) and then drops the client's connection instead of
relaying that answer. The client sees "server closed the connection unexpectedly", exactly as
when a server restarts between committing and replying; what it does next (the library
retries) is the code under test.

An outage at a chosen moment: :meth:`CommitDropper.cut_after_commits` lets ``n`` more
transactions commit; when a client then begins another one (sends ``BEGIN``), every connection
is cut and new ones are refused (the database is gone for the client) until
:meth:`CommitDropper.restore`.

    with CommitDropper(5432) as proxy:
        url = f"postgresql://postgres@127.0.0.1:{proxy.port}/db"
        proxy.arm()
        ...                      # the next COMMIT is applied, its answer lost
        assert proxy.dropped == 1
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

#: The client's COMMIT, as a simple query ('Q') or a parsed statement ('P'): its text with the
#: terminating NUL (psycopg sends "COMMIT" as the statement text).
_COMMIT_TEXT = b"COMMIT\x00"
#: The server's answer that the commit is done: CommandComplete ('C'), length 11, tag COMMIT.
_COMMITTED = b"C\x00\x00\x00\x0bCOMMIT\x00"
#: A client beginning a transaction: alone (as a simple query or a parsed statement), or at the
#: head of several statements sent as one simple query (the bulk appender's "BEGIN; LOCK ...").
_BEGIN_TEXTS = (b"BEGIN\x00", b"BEGIN; ")


class CommitDropper:
    """A loopback proxy to ``127.0.0.1:upstream_port``; see the module's docstring."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._armed = False
        self._sockets: set[socket.socket] = set()
        self._closing = False
        self._down = False
        self._commits_left: int | None = None
        #: How many COMMIT answers were lost on purpose.
        self.dropped = 0
        self._thread = threading.Thread(target=self._accept, name="commit-dropper",
                                        daemon=True)
        self._thread.start()

    def arm(self) -> None:
        """Lose the answer of the next COMMIT that any connection sends (once)."""
        with self._lock:
            self._armed = True

    def cut_after_commits(self, count: int = 1) -> None:
        """Let ``count`` more transactions commit; at the next ``BEGIN`` of any client, cut
        every connection and refuse new ones until :meth:`restore`."""
        with self._lock:
            self._commits_left = count

    def restore(self) -> None:
        """Take connections again (after :meth:`cut_after_commits`)."""
        with self._lock:
            self._down = False
            self._commits_left = None

    @property
    def down(self) -> bool:
        return self._down

    def _committed(self) -> None:
        """A COMMIT answer was relayed: one fewer before the outage."""
        with self._lock:
            if self._commits_left:
                self._commits_left -= 1

    def _beginning(self) -> bool:
        """A client begins a transaction: True if the outage starts now (it is then cut)."""
        with self._lock:
            if self._commits_left != 0:
                return False
            self._commits_left, self._down = None, True
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)
        return True

    def _take_arm(self) -> bool:
        with self._lock:
            armed, self._armed = self._armed, False
            return armed

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._down:  # the database is gone for the client
                _close(client)
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            Link(self, client, server).start()

    def close(self) -> None:
        self._closing = True
        self._listener.close()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)

    def __enter__(self) -> CommitDropper:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class Link:
    """One client connection and its server connection, relayed both ways."""

    def __init__(self, proxy: CommitDropper, client: socket.socket,
                 server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        #: Set when this link's COMMIT was sent while the proxy was armed.
        self.losing = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def _upstream(self) -> None:
        tail = b""
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                window = tail + data
                if (not self.losing.is_set() and _new(_COMMIT_TEXT, window, len(tail))
                        and self.proxy._take_arm()):
                    self.losing.set()
                if (any(_new(text, window, len(tail)) for text in _BEGIN_TEXTS)
                        and self.proxy._beginning()):
                    break  # the database is gone: this BEGIN never reaches it
                tail = window[-_TAIL:]
                self.server.sendall(data)
        except OSError:
            pass
        finally:
            _close(self.server)

    def _downstream(self) -> None:
        held = b""
        tail = b""
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                if self.losing.is_set():
                    # Hold everything from now on; once the commit is confirmed, hang up.
                    held += data
                    if _COMMITTED in held:
                        with self.proxy._lock:
                            self.proxy.dropped += 1
                        break
                    continue
                self.client.sendall(data)
                window = tail + data
                tail = window[-_TAIL:]
                if _new(_COMMITTED, window, len(window) - len(data)):
                    self.proxy._committed()
        except OSError:
            pass
        finally:
            _close(self.client)
            _close(self.server)


#: What is kept of a stream to find a text split between two reads.
_TAIL = 16


def _new(text: bytes, window: bytes, kept: int) -> bool:
    """Whether ``text`` occurs in ``window`` ending after its first ``kept`` bytes (those were
    looked at with the read before)."""
    return window.find(text, max(0, kept - len(text) + 1)) >= 0


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
