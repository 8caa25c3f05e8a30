"""`prakerja serve`'s HTTP protocol bounds a request's head: an endless header is a 431."""

import socket
import threading
import time

import pytest
import uvicorn

from prakerja.server import MAX_HEAD_BYTES


@pytest.fixture
def bounded_server(engine):
    from prakerja.server import create_service

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_service(engine),
        http="prakerja.server:BoundedHeadProtocol",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)
    listener.close()


def _answer(connection):
    connection.settimeout(10)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


def test_an_endless_header_is_refused_with_431(bounded_server):
    with socket.create_connection(("127.0.0.1", bounded_server), timeout=10) as connection:
        connection.sendall(b"GET /docs HTTP/1.1\r\nHost: x\r\nX-Endless: ")
        sent = 0
        try:
            while sent < 4 * MAX_HEAD_BYTES:
                connection.sendall(b"a" * 65536)
                sent += 65536
        except OSError:
            pass  # the server closed the connection: what it should do
        assert _answer(connection).startswith(b"HTTP/1.1 431")


def test_ordinary_requests_and_keep_alive_still_work(bounded_server):
    with socket.create_connection(("127.0.0.1", bounded_server), timeout=10) as connection:
        for _ in range(3):
            connection.sendall(
                b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Some: " + b"a" * 8000 + b"\r\n\r\n"
            )
            head = _answer(connection)
            assert head.startswith(b"HTTP/1.1 200"), head[:100]
            length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
            body = head.split(b"\r\n\r\n", 1)[1]
            while len(body) < length:
                body += connection.recv(65536)
        body = b'{"redeem_code":"' + b"A" * 30 + b'"}'
        connection.sendall(
            b"POST /api/v1/integration/payment/redeem-code/status HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        assert _answer(connection).startswith(b"HTTP/1.1 401")
