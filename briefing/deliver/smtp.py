"""(I/O) One message over SMTP, within deadlines: connect, TLS, login and the transaction,
with retries and backoff, all inside a whole-message deadline (`smtp_message_deadline`) and
the send's whole-run deadline (`smtp_run_deadline`).

`smtp_timeout` stays the limit of each socket operation, but a server that trickles its
replies one byte at a time never lets one operation reach it. So a watchdog timer holds a
duplicate of the connection's socket and shuts the connection down when the deadline passes:
the blocked read returns at once, whatever it was waiting for (the greeting, a TLS handshake,
a reply to DATA). A setup error that will not change by retrying (nothing listening, no
STARTTLS, TLS on a plain port, a refused login) raises `SetupError` with the likely fix.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
import threading
import time
from email.message import EmailMessage
from typing import Any

from ..config import SmtpConfig
from ..errors import DeliveryError

log = logging.getLogger(__name__)

_PORTS = "587 for starttls, 465 for ssl, 25 for none"


class SetupError(DeliveryError):
    """The SMTP settings do not work with this server; retrying will not change that."""


class Deadline:
    """A moment (monotonic clock) by which an exchange must have ended, and what set it."""

    def __init__(self, seconds: float, setting: str) -> None:
        self.end = time.monotonic() + seconds
        self.seconds, self.setting = seconds, setting

    def left(self) -> float:
        return self.end - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0

    def sooner(self, other: Deadline) -> Deadline:
        return self if self.end <= other.end else other

    def __str__(self) -> str:
        return f"{self.setting} ({self.seconds:g} s)"


class Watchdog:
    """Shuts a connection down when its deadline passes. `watch(sock)` keeps a duplicate of
    the socket (its own file descriptor: it stays valid however smtplib wraps or closes the
    original), so a shutdown from the timer thread reaches the connection and nothing else."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(max(deadline.left(), 0.0), self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock.dup())
            if self.fired:  # the deadline passed while connecting
                self._shut(self._socks[-1])

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                self._shut(s)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._socks:
                with contextlib.suppress(OSError):
                    s.close()
            self._socks.clear()


class _SMTP(smtplib.SMTP):
    def __init__(self, watchdog: Watchdog, *args: Any, **kwargs: Any) -> None:
        self.watchdog = watchdog
        super().__init__(*args, **kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]  # (untyped)
        self.watchdog.watch(sock)
        return sock


class _SMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, watchdog: Watchdog, *args: Any, **kwargs: Any) -> None:
        self.watchdog = watchdog
        super().__init__(*args, **kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # SMTP_SSL's own, with the plain socket watched before the TLS handshake on it
        sock = smtplib.SMTP._get_socket(self, host, port, timeout)  # type: ignore[attr-defined]
        self.watchdog.watch(sock)
        return self.context.wrap_socket(sock, server_hostname=self._host)  # type: ignore[attr-defined]


def _where(cfg: SmtpConfig) -> str:
    return f"{cfg.host}:{cfg.port}"


def _setup_error(exc: BaseException, cfg: SmtpConfig) -> SetupError | None:
    """An error while connecting, greeting, starting TLS or logging in that will not go away
    by retrying, as one line with the likely fix; None for a temporary one."""
    where = _where(cfg)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SetupError(f"SMTP login refused for {cfg.user} at {where} ({describe(exc)}); "
                          "check smtp_user and the password (smtp_password_file or "
                          "BRIEFING_SMTP_PASSWORD)")  # fmt: skip
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "starttls" in str(exc).lower():
            return SetupError(f"{where} does not offer STARTTLS; if it is a local relay "
                              'without TLS, set smtp_security = "none" (port 25), or use '
                              'smtp_security = "ssl" on port 465')  # fmt: skip
        return SetupError(f"{where} offers no login (AUTH) on this connection; use "
                          'smtp_security = "starttls" or "ssl", or remove smtp_user')  # fmt: skip
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SetupError(f"{where}: the server's TLS certificate is not trusted "
                          f"({exc.verify_message}); check smtp_host")  # fmt: skip
    if isinstance(exc, ssl.SSLError):
        hint = ('the port does not speak TLS from the start: use smtp_security = "starttls" '
                f"or check smtp_port ({_PORTS})")  # fmt: skip
        return SetupError(f"{where}: TLS failed ({exc.reason or exc}); {hint}")
    if isinstance(exc, ConnectionRefusedError):
        return SetupError(f"nothing accepts connections at {where}; check smtp_host and "
                          f"smtp_port ({_PORTS})")  # fmt: skip
    if isinstance(exc, socket.gaierror):
        return SetupError(f"SMTP host {cfg.host!r} is unknown ({exc.strerror}); check smtp_host")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return SetupError(f"no SMTP greeting from {where} within {cfg.timeout:g} s; is it "
                          f"the port for smtp_security = {cfg.security!r} ({_PORTS})?")
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        return SetupError(f"{where} refused the session: {describe(exc)}")
    return None


def _connect(cfg: SmtpConfig, watchdog: Watchdog) -> smtplib.SMTP:
    """A logged-in connection; a setup error that retrying cannot fix raises SetupError."""
    server: smtplib.SMTP | None = None
    timeout = max(min(cfg.timeout, watchdog.deadline.left()), 0.001)
    try:
        if cfg.security == "ssl":
            server = _SMTPSSL(watchdog, cfg.host, cfg.port, timeout=timeout,
                              context=ssl.create_default_context())  # fmt: skip
        else:
            server = _SMTP(watchdog, cfg.host, cfg.port, timeout=timeout)
            if cfg.security == "starttls":
                server.starttls(context=ssl.create_default_context())
        if cfg.user:
            server.login(cfg.user, cfg.password or "")
        return server
    except (smtplib.SMTPException, OSError) as exc:
        if server is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                server.close()
        cut = watchdog.fired or watchdog.deadline.left() < 0.1  # (a timeout the deadline set)
        setup = None if cut else _setup_error(exc, cfg)
        if setup is not None:
            log.info("SMTP setup failed: %s: %s", type(exc).__name__, exc)
            raise setup from None
        raise


def _temporary(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError, socket.timeout)
    )


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{r}: {c} {m.decode(errors='replace')}" for r, (c, m) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"{exc.smtp_code} {msg}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class CutOff(OSError):
    """The deadline cut the connection before the server's reply was read whole."""


def _transaction(server: smtplib.SMTP, msg: EmailMessage, watchdog: Watchdog) -> None:
    """The message, then QUIT (its reply is not waited for past the deadline). Interrupted
    by anything else (a signal's SystemExit, Ctrl-C) the connection is just closed: no QUIT
    that a trickling server could keep answering."""
    try:
        server.send_message(msg)
        if watchdog.fired:  # smtplib takes a reply cut to "250" at the hang-up for a 250
            raise CutOff("the reply to the message was cut off")
    except (smtplib.SMTPException, OSError):
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
        raise
    except BaseException:
        server.close()
        raise
    with contextlib.suppress(smtplib.SMTPException, OSError):
        server.quit()  # the message was accepted: a failing QUIT changes nothing
    server.close()


def send_one(msg: EmailMessage, cfg: SmtpConfig, deadline: Deadline) -> tuple[str | None, int]:
    """Send with retries, all before `deadline`; returns (error or None, attempts). A setup
    error raises. When the deadline passes the connection is cut, wherever it was."""
    delay = cfg.backoff
    error = None
    for attempt in range(1, cfg.retries + 1):
        if deadline.passed():
            return f"not sent within {deadline}", attempt - 1
        watchdog = Watchdog(deadline)
        try:
            with watchdog:
                _transaction(_connect(cfg, watchdog), msg, watchdog)
            return None, attempt
        except SetupError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            if watchdog.fired or deadline.passed():
                log.debug("send to %s: %s: %s", msg["To"], type(exc).__name__, exc)
                return f"no reply within {deadline}; cut off", attempt
            error = describe(exc)
            log.debug("send to %s: %s: %s", msg["To"], type(exc).__name__, exc)
            if not _temporary(exc) or attempt == cfg.retries:
                return error, attempt
            wait = min(delay, max(deadline.left(), 0.0))
            log.warning("send to %s failed (%s); retrying in %.0f s", msg["To"], error, wait)
            time.sleep(wait)
            delay *= 2
    return error, cfg.retries
