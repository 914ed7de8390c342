"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 that keeps every accepted message
and answers chosen codes (451, 550 …) for chosen addresses."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller

from shopsafe.notifications.mime import IDEMPOTENCY_HEADER


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    peer: str  # the client's host:port: one per SMTP session

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.data, policy=policy.default))

    @property
    def key(self) -> str:
        return str(self.message[IDEMPOTENCY_HEADER])


class Sink:
    """The handler. `replies[address]` is a list of answers given to that address's next
    RCPT commands, one per try (e.g. `["451 4.3.0 busy"]`); `refuse[address]` is given
    every time; `refuse_data[address]` is the answer to the message itself. `pipelining`
    offers PIPELINING in the EHLO answer. `stall_at`: the DATA of the n-th message waits
    until `release` is set (then it is refused, once), so that a test can kill a client in
    the middle of a batch."""

    def __init__(
        self, *, delay: float = 0.0, stall_at: int | None = None, pipelining: bool = False
    ) -> None:
        self.received: list[Received] = []
        self.replies: dict[str, list[str]] = {}
        self.refuse: dict[str, str] = {}
        self.refuse_data: dict[str, str] = {}  # answered to DATA (after the message came)
        self.pipelining = pipelining
        self.delay = delay
        self.stall_at = stall_at
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:  # aiosmtpd reads commands in order, so pipelining just works
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self._lock:
            queued = self.replies.get(address)
            answer = queued.pop(0) if queued else self.refuse.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if (
            self.stall_at is not None
            and len(self.received) + 1 == self.stall_at
            and not self.stalled.is_set()
        ):
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "451 4.3.0 stalled on purpose"
        refused = [self.refuse_data[a] for a in envelope.rcpt_tos if a in self.refuse_data]
        if refused:
            return refused[0]
        peer = session.peer
        with self._lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    bytes(envelope.original_content or envelope.content),
                    f"{peer[0]}:{peer[1]}",
                )
            )
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    @property
    def sessions(self) -> int:
        return len({r.peer for r in self.received})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(sink: Sink) -> Iterator[str]:
    """Runs the sink on a free port; yields its `smtp://` URL."""
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        sink.release.set()
        controller.stop()
