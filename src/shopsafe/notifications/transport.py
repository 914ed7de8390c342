"""Getting a message out: SMTP (`SHOPSAFE_SMTP_URL`) with one connection reused across
messages, or `.eml` files in `var/outbox/` when no SMTP server is configured."""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from shopsafe.kit.errors import InvalidInput
from shopsafe.notifications.backoff import Outcome, classify

log = logging.getLogger("shopsafe.worker")


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipient: str
    message: bytes
    name: str  # a stable, file-safe name for the message (the outbox file is named after it)


@dataclass(frozen=True)
class SendResult:
    """What happened to one message. `suppress`: the recipient's address was refused for
    good. `transport_down`: nothing can be sent right now (no connection, refused login or
    sender); the rest of the batch waits instead of failing one by one."""

    outcome: Outcome
    code: int | None
    detail: str
    suppress: bool = False
    transport_down: bool = False


class Transport(Protocol):
    def send(self, envelope: Envelope) -> SendResult: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # smtps:// (TLS from the first byte)
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://host:port`, `smtp://user:pass@host:port` or `smtps://…` (CONTRACT §3)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput(
            [f"SHOPSAFE_SMTP_URL: expected smtp://host:port or smtps://host:port, not {url!r}"]
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise InvalidInput([f"SHOPSAFE_SMTP_URL: the port of {url!r} is not a number"]) from None
    return SmtpServer(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _reply_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:500]


class SmtpTransport:
    """One SMTP session, opened on first use and reused for every following message."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self.server = server
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._local_name = socket.gethostname() or "localhost"
        self.connections = 0  # how many sessions were opened (connection reuse is visible)

    def _connect(self) -> smtplib.SMTP:
        s = self.server
        smtp: smtplib.SMTP
        if s.tls:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, local_hostname=self._local_name, timeout=self.timeout,
                context=context,
            )  # fmt: skip
        else:
            smtp = smtplib.SMTP(
                s.host, s.port, local_hostname=self._local_name, timeout=self.timeout
            )
        try:
            smtp.ehlo_or_helo_if_needed()
            if not s.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self.connections += 1
        return smtp

    def send(self, envelope: Envelope) -> SendResult:
        reused = self._smtp is not None
        try:
            if self._smtp is None:
                self._smtp = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            code = getattr(error, "smtp_code", None)
            return SendResult("temporary", code, f"cannot connect: {error}", transport_down=True)
        result = self._send(self._smtp, envelope)
        if result is None and reused:
            # The server closed a session we kept open; try once on a new one.
            self.close()
            return self.send(envelope)
        return result or SendResult("temporary", None, "the server closed the connection")

    def _send(self, smtp: smtplib.SMTP, envelope: Envelope) -> SendResult | None:
        """The outcome, or `None` when the connection was lost before the server answered."""
        try:
            mail_transaction(smtp, envelope.sender, envelope.recipient, envelope.message)
            return SendResult("accepted", 250, "accepted")
        except smtplib.SMTPRecipientsRefused as error:
            answers = list(error.recipients.values())
            code, text = answers[0] if answers else (None, b"refused")
            return self._refused(smtp, code, _reply_text(text))
        except smtplib.SMTPDataError as error:
            return self._refused(smtp, error.smtp_code, _reply_text(error.smtp_error))
        except smtplib.SMTPSenderRefused as error:
            # Our sender address was refused: a problem of our set-up, not of the recipient.
            self._drop_if_closed(smtp)
            detail = f"sender refused: {_reply_text(error.smtp_error)}"
            return SendResult("temporary", error.smtp_code, detail, transport_down=True)
        except (smtplib.SMTPNotSupportedError, UnicodeError) as error:
            return SendResult("permanent", None, f"cannot be sent to this address: {error}")
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            return None
        except smtplib.SMTPResponseException as error:
            return self._refused(smtp, error.smtp_code, _reply_text(error.smtp_error))
        except smtplib.SMTPException as error:
            self.close()
            return SendResult("temporary", None, f"SMTP error: {error}")

    def _refused(self, smtp: smtplib.SMTP, code: int | None, text: str) -> SendResult:
        self._drop_if_closed(smtp)
        outcome = classify(code)
        if outcome == "accepted":  # a refusal always counts as a failure
            outcome = "temporary"
        return SendResult(outcome, code, f"{code} {text}", suppress=outcome == "permanent")

    def _drop_if_closed(self, smtp: smtplib.SMTP) -> None:
        if smtp.sock is None:  # smtplib closes the session itself after a 421
            self._smtp = None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


_LEADING_DOT = re.compile(rb"(?m)^\.")
Reply = tuple[int, bytes]


def mail_transaction(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
    """One message to one recipient, as `smtplib.SMTP.sendmail` sends it (and raising the
    same exceptions), with two differences: the addresses are used as they are (sendmail
    parses each one again), and MAIL, RCPT and DATA go out in one write when the server
    offers PIPELINING (RFC 2920): two round trips per message instead of four."""
    size = f" SIZE={len(message)}" if smtp.has_extn("size") else ""
    commands = (f"MAIL FROM:<{sender}>{size}\r\n", f"RCPT TO:<{recipient}>\r\n", "DATA\r\n")
    if smtp.has_extn("pipelining"):
        smtp.send("".join(commands))
        mail, rcpt, data = smtp.getreply(), smtp.getreply(), smtp.getreply()
    else:
        rcpt = data = (0, b"")
        smtp.send(commands[0])
        mail = smtp.getreply()
        if mail[0] == 250:
            smtp.send(commands[1])
            rcpt = smtp.getreply()
        if rcpt[0] in (250, 251):
            smtp.send(commands[2])
            data = smtp.getreply()
    refusal = _refusal(mail, rcpt, data, sender, recipient)
    if refusal is not None:
        if data[0] == 354:  # the server took DATA anyway: end an empty message
            smtp.send(b".\r\n")
            smtp.getreply()
        _abandon(smtp, mail, rcpt, data)
        raise refusal
    needs_dots = message.startswith(b".") or b"\n." in message
    body = _LEADING_DOT.sub(b"..", message) if needs_dots else message
    smtp.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    code, text = smtp.getreply()
    if code != 250:
        _abandon(smtp, (code, text))
        raise smtplib.SMTPDataError(code, text)


def _refusal(
    mail: Reply, rcpt: Reply, data: Reply, sender: str, recipient: str
) -> smtplib.SMTPException | None:
    if mail[0] != 250:
        return smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    if rcpt[0] not in (250, 251):
        return smtplib.SMTPRecipientsRefused({recipient: rcpt})
    if data[0] != 354:
        return smtplib.SMTPDataError(data[0], data[1])
    return None


def _abandon(smtp: smtplib.SMTP, *replies: Reply) -> None:
    """Ends a failed mail transaction: RSET, or hang up after a 421 (the server is going)."""
    if any(code == 421 for code, _ in replies):
        smtp.close()
        return
    try:
        smtp.rset()
    except smtplib.SMTPServerDisconnected:
        smtp.close()


class OutboxTransport:
    """Writes each message to `DIR/<name>.eml` (atomically; the same message, the same file)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, envelope: Envelope) -> SendResult:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{envelope.name}.eml"
            partial = path.with_suffix(f".eml.{os.getpid()}.part")
            partial.write_bytes(envelope.message)
            partial.replace(path)
        except OSError as error:
            return SendResult("temporary", None, f"cannot write: {error}", transport_down=True)
        return SendResult("accepted", None, f"written to {path}")

    def close(self) -> None:
        return None


def transport_for(smtp_url: str | None, outbox: Path, *, timeout: float = 30.0) -> Transport:
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url), timeout=timeout)
    return OutboxTransport(outbox)
