"""A hostile SMTP server on 127.0.0.1 (raw sockets, one thread per connection) that trickles
a reply one byte at a time, for ever: each byte comes well within any per-read timeout, and
the reply never ends (it is an endless multi-line "250-" reply, so no line is ever too long).

`stall` says where: "greeting" (the 220 never ends) or "data" (the session runs normally up
to the end of DATA, then the reply to the message trickles). `connections` counts accepted
connections, `messages` the messages whose DATA was read whole."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Literal

Stall = Literal["greeting", "data"]


class TrickleSmtp:
    def __init__(self, stall: Stall = "data", gap: float = 0.05) -> None:
        self.stall, self.gap = stall, gap
        self.connections = 0
        self.accepted: list[float] = []  # time.monotonic() of each connection
        self.messages = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def env(self) -> dict[str, str]:
        return {"BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(self.port),
                "BRIEFING_SMTP_SECURITY": "none", "BRIEFING_MAIL_FROM": "briefing@news.example",
                "BRIEFING_SMTP_BACKOFF": "0.1"}  # fmt: skip

    def __enter__(self) -> TrickleSmtp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self.accepted.append(time.monotonic())
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket, code: bytes) -> None:
        """An endless reply, one byte per `gap` seconds, until the client hangs up."""
        line = code + b"-please wait\r\n"
        while not self._stop.is_set():
            for byte in line:
                conn.sendall(bytes([byte]))
                time.sleep(self.gap)

    def _session(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(30)
            if self.stall == "greeting":
                self._trickle(conn, b"220")
                return
            conn.sendall(b"220 trickle.example ESMTP\r\n")
            reader = conn.makefile("rb")
            while line := reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 trickle.example\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    while (body := reader.readline()) and body != b".\r\n":
                        pass
                    self.messages += 1
                    self._trickle(conn, b"250")
                    return
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 OK\r\n")
