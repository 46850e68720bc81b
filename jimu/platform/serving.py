"""How ``jimu serve`` runs uvicorn: its HTTP protocol with Nagle's algorithm off.

With several workers uvicorn binds the listening socket itself (``socket.socket(family)``,
protocol 0), and asyncio turns Nagle's algorithm off only for sockets whose protocol says
TCP; so every connection kept it on, and each response (written as headers, then body)
waited for the client's delayed ACK: ~40 ms a request, 90 requests a second for two workers
where one served 2,600.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "jimu.platform.serving:NoDelayH11Protocol"


def no_delay(sock: Any) -> None:
    """Sends small writes at once on a TCP socket (no-op for other sockets)."""
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with Nagle's algorithm off on every connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport.get_extra_info("socket"))
        super().connection_made(transport)
