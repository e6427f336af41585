"""Where e-mail goes: an SMTP server from the environment, or a folder of .eml files.

The folder is the embedded default, so a newcomer reads every message the
help desk would have sent under ``instance/mail/``.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from typing import Protocol

from flask import Flask

from helpdesk.models import OutboxMessage
from helpdesk.models.base import utcnow


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: plain text, with the HTML alternative when there is one."""
    # Unfolded headers (up to 998 characters, RFC 5322): folding a subject
    # into encoded words can lose the space between two accented words.
    mail = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(utcnow())
    # Sent by the help desk itself: out-of-office replies stay away (RFC 3834).
    mail["Auto-Submitted"] = "auto-generated"
    # Quoted-printable: 7-bit safe for any server (no 8BITMIME needed), no
    # line too long for SMTP, accents intact.
    mail.set_content(message.text_body, charset="utf-8", cte="quoted-printable")
    if message.html_body:
        mail.add_alternative(
            message.html_body, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    return mail


class FolderTransport:
    """One ``<id>.eml`` file per message; writing it again replaces it (idempotent)."""

    def __init__(self, folder: str | Path, sender: str) -> None:
        self.folder = Path(folder)
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{message.id:08d}.eml"
        partial = target.with_suffix(".part")
        partial.write_bytes(bytes(build_email(message, self.sender)))
        partial.replace(target)


class SmtpTransport:
    """An SMTP server; STARTTLS or implicit TLS as configured."""

    def __init__(self, config: dict[str, Any], sender: str) -> None:
        self.host = config["HELPDESK_SMTP_HOST"]
        self.port = int(config.get("HELPDESK_SMTP_PORT") or 25)
        self.user = config.get("HELPDESK_SMTP_USER")
        self.password = config.get("HELPDESK_SMTP_PASSWORD")
        self.security = config.get("HELPDESK_SMTP_SECURITY") or "none"
        self.timeout = float(config.get("HELPDESK_SMTP_TIMEOUT") or 20)
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        mail = build_email(message, self.sender)
        if self.security == "ssl":
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with server:
            if self.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(mail)


def transport_for(app: Flask) -> Transport:
    sender = app.config.get("HELPDESK_MAIL_FROM") or "Mesa de ayuda <mesa-de-ayuda@localhost>"
    if app.config.get("HELPDESK_SMTP_HOST"):
        return SmtpTransport(app.config, sender)
    folder = app.config.get("HELPDESK_MAIL_FOLDER") or Path(app.instance_path) / "mail"
    return FolderTransport(folder, sender)
