"""Mail to a real SMTP server over TLS: `smtps://` (TLS from the first byte) and STARTTLS
on `smtp://` when the server offers it; a certificate nobody vouches for is never trusted,
the delivery is retried instead of sent in the clear."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from shopsafe.notifications.transport import Envelope, SmtpTransport, parse_smtp_url
from tests.support.smtp import Sink, free_port

MESSAGE = (
    b"From: safety@shop.example\r\nTo: ada@home.example\r\nSubject: Product safety recall\r\n"
    b"Message-ID: <n-1@shop.example>\r\n\r\nStop using the heater.\r\n"
)


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(authority: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test authority is trusted the way an operator would trust theirs: SSL_CERT_FILE."""
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def _server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@contextmanager
def _server(sink: Sink, **tls: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _send(url: str) -> str:
    transport = SmtpTransport(parse_smtp_url(url), timeout=5.0)
    try:
        envelope = Envelope("safety@shop.example", "ada@home.example", MESSAGE, "n-1")
        return transport.send(envelope).outcome
    finally:
        transport.close()


@pytest.mark.usefixtures("trusted")
def test_smtps_sends_over_tls_from_the_first_byte(authority: trustme.CA) -> None:
    sink = Sink()
    with _server(sink, ssl_context=_server_context(authority)) as port:
        assert _send(f"smtps://127.0.0.1:{port}") == "accepted"
    assert [r.recipients for r in sink.received] == [["ada@home.example"]]
    assert b"Stop using the heater." in sink.received[0].data


@pytest.mark.usefixtures("trusted")
def test_starttls_is_used_when_the_server_offers_it(authority: trustme.CA) -> None:
    sink = Sink()
    # The server refuses every command but EHLO/STARTTLS/QUIT before TLS is on.
    tls = {"tls_context": _server_context(authority), "require_starttls": True}
    with _server(sink, **tls) as port:
        assert _send(f"smtp://127.0.0.1:{port}") == "accepted"
    assert len(sink.received) == 1


def test_an_untrusted_certificate_is_not_sent_to(authority: trustme.CA) -> None:
    sink = Sink()
    with _server(sink, ssl_context=_server_context(authority)) as port:
        outcome = _send(f"smtps://127.0.0.1:{port}")
    assert outcome == "temporary"  # retried later (the operator may fix the certificate)
    assert sink.received == []
