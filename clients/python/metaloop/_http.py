"""A small HTTP/1.1 client over http.client: one keep-alive connection per thread and origin."""

from __future__ import annotations

import email.utils
import http.client
import socket
import threading
import time
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

# Errors that mean "the request did not get an answer": connection refused or cut, timeouts,
# a garbled or missing status line.
NETWORK_ERRORS = (OSError, http.client.HTTPException, socket.timeout)


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class _Connection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        # Small requests and answers: never let Nagle hold a segment back for a delayed ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _TlsConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HttpOrigin:
    """Requests to one origin (scheme://host:port[/prefix]). Thread safe: each thread keeps its
    own connection, reused while the server keeps it open."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an http(s) URL, got {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self._local = threading.local()

    def _connection(self, timeout: float) -> Tuple[http.client.HTTPConnection, bool]:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.timeout = timeout
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
            return connection, True
        cls = _TlsConnection if self.scheme == "https" else _Connection
        connection: http.client.HTTPConnection = cls(self.host, self.port, timeout=timeout)
        self._local.connection = connection
        return connection, False

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def request(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: float = 10.0,
    ) -> Response:
        """One request; ``timeout`` bounds each socket operation. Raises one of NETWORK_ERRORS
        when no answer came. A kept-alive connection the server had closed is retried once on a
        fresh one (nothing was sent on it)."""
        for attempt in (0, 1):
            connection, reused = self._connection(timeout)
            try:
                connection.request(method, self.prefix + path, body=body, headers=dict(headers or {}))
                answer = connection.getresponse()
                data = answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.close()
                if reused and attempt == 0 and _idle_close(error):
                    continue
                raise
            except BaseException:
                self.close()
                raise
            response_headers = {name.lower(): value for name, value in answer.getheaders()}
            if answer.will_close:
                self.close()
            return Response(answer.status, response_headers, data)
        raise AssertionError("unreachable")


def _idle_close(error: BaseException) -> bool:
    # RemoteDisconnected before any byte of a status line: the server dropped an idle
    # keep-alive connection. A reset while sending is the same thing seen earlier.
    return isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError))


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
