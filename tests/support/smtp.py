"""A tiny SMTP server on 127.0.0.1 that keeps every message it is given (no TLS, no
login): enough for apprise's ``mailto://…?mode=insecure`` to deliver to it for real."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class Mailbox:
    port: int = 0
    messages: list[Mail] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox  # type: ignore[attr-defined]
        self.reply("220 fake.smtp ESMTP")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-fake.smtp")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender = line.split(":", 1)[1].strip().strip("<>")
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    part = self.rfile.readline().decode("utf-8", "replace")
                    if part.rstrip("\r\n") == ".":
                        break
                    lines.append(part)
                box.messages.append(Mail(sender, recipients, "".join(lines)))
                sender, recipients = "", []
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.mailbox = box  # type: ignore[attr-defined]
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
