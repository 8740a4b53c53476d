"""nginx's own error answers (400, 413, 414) are German pages with English, on a served stack."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.conftest import clone_database, drop_database, server_url, with_db
from tests.served import served_test


@pytest.fixture(scope="module")
def front(loaded_template):
    name = clone_database(loaded_template)
    try:
        with served_test(with_db(server_url(), name)) as info:
            yield info["front"]
    finally:
        drop_database(name)


def raw(front: str, request: bytes) -> tuple[int, str, str]:
    """Send bytes as they are; status, head and body of nginx's answer."""
    u = urlsplit(front)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1"), body.decode("utf-8")


def assert_german_page(head: str, body: str, words: str) -> None:
    assert "text/html" in head and "charset=utf-8" in head.lower(), head
    assert '<html lang="de">' in body and words in body, body[:500]
    assert '<section lang="en">' in body and "nginx" not in body


def test_nginx_refusals_are_german_pages(front):
    host = urlsplit(front).netloc.encode()
    # 414: a request line beyond nginx's header buffers (8 KB)
    status, head, body = raw(
        front, b"GET /?q=" + b"x" * 20000 + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    )
    assert status == 414
    assert_german_page(head, body, "Adresse zu lang")
    # 413: a body announced beyond client_max_body_size (64 MB); nginx answers at once
    status, head, body = raw(
        front,
        b"POST /redaktion/hochladen HTTP/1.1\r\nHost: "
        + host
        + b"\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000000"
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert status == 413
    assert_german_page(head, body, "zu groß")
    assert "64MB" in body
    # 400: a request nginx itself refuses (two Host headers)
    status, head, body = raw(
        front, b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nHost: b\r\nConnection: close\r\n\r\n"
    )
    assert status == 400
    assert_german_page(head, body, "Ungültige Anfrage")
    # 400 for headers too large (nginx-internal 494)
    status, head, body = raw(
        front,
        b"GET / HTTP/1.1\r\nHost: "
        + host
        + b"\r\nCookie: "
        + b"c" * 20000
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert status == 400
    assert_german_page(head, body, "Kopfzeilen zu groß")
    # the pages themselves are not reachable from outside
    status, _head, _body = raw(
        front,
        b"GET /_sozmon_fehler/400.html HTTP/1.1\r\nHost: "
        + host
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert status == 404
