"""`jimu serve` turns Nagle's algorithm off on every connection, also when uvicorn's workers
share a listening socket it made itself (which asyncio leaves alone)."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from jimu.platform.serving import NoDelayH11Protocol


async def _app(scope: object, receive: object, send: object) -> None:
    """Never called: the test only connects."""


async def _nodelay_of_accepted(protocol: type[H11Protocol]) -> int:
    config = Config(app=_app, log_level="warning")
    config.load()
    state = ServerState()
    made: list[H11Protocol] = []

    def factory() -> H11Protocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listener = socket.socket(socket.AF_INET)  # as uvicorn binds it for several workers
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    _reader, writer = await asyncio.open_connection(*listener.getsockname())
    while not made:
        await asyncio.sleep(0.01)
    accepted = made[0].transport.get_extra_info("socket")
    value = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    writer.close()
    made[0].transport.close()
    server.close()
    return int(value)


@pytest.mark.parametrize(("protocol", "expected"), [(H11Protocol, 0), (NoDelayH11Protocol, 1)])
def test_connections_send_small_writes_at_once(protocol: type[H11Protocol], expected: int) -> None:
    # a loop of its own, on a thread of its own (the browser tests leave one running here)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(asyncio.run, asyncio.wait_for(_nodelay_of_accepted(protocol), 60))
        found = running.result()
    assert found == expected
