"""(I/O) Deadlines that a slow server cannot stretch: a whole run's, and each request's.

A socket timeout counts from the last byte, so a server that sends 2 bytes every 5 s keeps a
15 s timeout from ever firing. Here every socket read, write and connect of a request is
given at most the time left before that request's deadline (and the run's), so a request
ends on time however its bytes trickle. This works at the level of httpcore's network
backend, which `httpx` (our fetches) and `httpx2` (the `openai` SDK) both use: `transport`
builds a transport on httpcore's public connection pool with a limited backend.

The run's deadline is a context variable set by `run_deadline` around a run; code that
hands work to threads reads `run_ends()` first and passes it on.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_RUN: ContextVar[float | None] = ContextVar("briefing_run_deadline", default=None)
_REQUEST: ContextVar[float | None] = ContextVar("briefing_request_deadline", default=None)


@contextmanager
def run_deadline(seconds: float | None) -> Iterator[None]:
    """Everything inside (fetches, LLM calls) must end within `seconds` of now."""
    ends = None if seconds is None else time.monotonic() + seconds
    outer = _RUN.get()
    token = _RUN.set(ends if outer is None or ends is None else min(outer, ends))
    try:
        yield
    finally:
        _RUN.reset(token)


def run_ends() -> float | None:
    """The run's deadline (time.monotonic()), if one is set in this context."""
    return _RUN.get()


@contextmanager
def request_deadline(seconds: float, run_ends_at: float | None = None) -> Iterator[float]:
    """One request's deadline (and the run's, whichever comes first), for the limited
    backend; yields it."""
    ends = time.monotonic() + seconds
    run = run_ends_at if run_ends_at is not None else _RUN.get()
    if run is not None:
        ends = min(ends, run)
    token = _REQUEST.set(ends)
    try:
        yield ends
    finally:
        _REQUEST.reset(token)


def _left(timeout: float | None, timeout_error: type[Exception]) -> float | None:
    ends = _REQUEST.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise timeout_error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


# ---------------------------------------------------------------- addresses


def public(ip: str) -> bool:
    """A global unicast address: not loopback, private, link-local, shared (CGNAT), multicast,
    reserved or unspecified (IPv4-mapped IPv6 addresses are judged as IPv4)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


class Refused(OSError):
    """A connection to an address that the policy does not allow."""


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The host's addresses; with `allow_private` off, refused if any is not public (so a name
    that resolves to both cannot be used to reach the private one)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    ips = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for ip in ips:
            if not public(ip):
                raise Refused(
                    f"{host} is a loopback, private or link-local address ({ip}); links "
                    "found in feeds may not reach those (set allow_private_addresses = true "
                    "for feeds on your own network)"
                )
    return ips


# ---------------------------------------------------------------- the limited backend


def limited_backend(core: Any, allow_private: bool = True) -> Any:
    """An httpcore (or httpcore2) network backend whose reads, writes and connects end by the
    request's deadline, and which, with `allow_private` off, connects only to public
    addresses, checked after DNS resolution, on the address it then connects to."""

    class Stream(core.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return bytes(self.inner.read(max_bytes, _left(timeout, core.ReadTimeout)))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _left(timeout, core.WriteTimeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:  # fmt: skip
            left = _left(timeout, core.ConnectTimeout)
            return Stream(self.inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class Backend(core.SyncBackend):
        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Iterable[Any] | None = None) -> Any:  # fmt: skip
            left = _left(timeout, core.ConnectTimeout)
            try:
                ips = resolve(host, port, allow_private)
            except Refused as exc:
                raise core.ConnectError(str(exc)) from None
            except OSError as exc:
                raise core.ConnectError(f"cannot resolve {host}: {exc}") from None
            last: Exception | None = None
            for ip in ips:
                try:
                    inner = super().connect_tcp(ip, port, left, local_address, socket_options)
                    return Stream(inner)
                except (core.ConnectError, core.ConnectTimeout) as exc:
                    last = exc
            raise last or core.ConnectError(f"no address for {host}")

    return Backend()


_ERRORS = (
    "TimeoutException", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout",
    "NetworkError", "ConnectError", "ReadError", "WriteError", "ProxyError",
    "UnsupportedProtocol", "ProtocolError", "LocalProtocolError", "RemoteProtocolError",
)  # fmt: skip


class TooLarge(Exception):
    """A response body over its byte cap, found while reading (never read in full)."""


def transport(http: Any, core: Any, allow_private: bool = True,
              max_bytes: int | None = None) -> Any:  # fmt: skip
    """An httpx (or httpx2) transport on httpcore's (httpcore2's) public `ConnectionPool`, with
    the limited backend as its `network_backend`: what `http.HTTPTransport()` does by default
    (TLS verified, its connection limits), and every request ends by its deadline. httpcore's
    errors become httpx's, as `HTTPTransport` raises them. `max_bytes`: a body is cut off
    (`TooLarge`) as soon as more than that has arrived."""
    errors = [(getattr(core, n), getattr(http, n)) for n in _ERRORS]

    @contextmanager
    def translated() -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            to = None
            for src, dst in errors:  # the most specific of httpx's errors
                if isinstance(exc, src) and (to is None or issubclass(dst, to)):
                    to = dst
            if to is None:
                raise
            raise to(str(exc)) from exc

    class Body(http.SyncByteStream):
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __iter__(self) -> Iterator[bytes]:
            size = 0
            with translated():
                for chunk in self.inner:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"the answer is over the {max_bytes:,}-byte limit")
                    yield chunk

        def close(self) -> None:
            if hasattr(self.inner, "close"):
                self.inner.close()

    class Transport(http.BaseTransport):
        def __init__(self) -> None:
            self.pool = core.ConnectionPool(
                ssl_context=http.create_ssl_context(), max_connections=100,
                max_keepalive_connections=20, keepalive_expiry=5.0,
                network_backend=limited_backend(core, allow_private),
            )  # fmt: skip

        def handle_request(self, request: Any) -> Any:
            url = request.url
            req = core.Request(
                method=request.method, headers=request.headers.raw, content=request.stream,
                url=core.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                             target=url.raw_path),
                extensions=request.extensions,
            )  # fmt: skip
            with translated():
                resp = self.pool.handle_request(req)
            return http.Response(status_code=resp.status, headers=resp.headers,
                                 stream=Body(resp.stream), extensions=resp.extensions)  # fmt: skip

        def close(self) -> None:
            self.pool.close()

    return Transport()


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()` under a request deadline of `seconds` (and the run's)."""
    with request_deadline(seconds):
        return call()
