"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, recording every accepted message (with its Message-ID)
in memory and, when given a file, appending one JSON line per message so that other processes' deliveries can be
counted after they die. It can be slow to reply after it has taken a message (the crash test) and refuse
addresses (permanent and temporary errors)."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Recorder:
    delay_seconds: float = 0.0
    refuse: dict[str, str] = field(default_factory=dict)  # address → SMTP reply, e.g. "550 no such user"
    log_file: Path | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=default)
        html = mail.get_body(preferencelist=("html",)) if mail.is_multipart() else None
        plain = mail.get_body(preferencelist=("plain",))
        assert plain is not None, "every mail Tradewind sends has a plain-text part"
        row = {
            "message_id": str(mail["Message-ID"]),
            "to": list(envelope.rcpt_tos),
            "subject": str(mail["Subject"]),
            "attempt": str(mail["X-Tradewind-Attempt"]),
            "language": str(mail["Content-Language"]),
            "body": plain.get_content(),
            "html": None if html is None else html.get_content(),
        }
        with self.lock:
            self.received.append(row)
            if self.log_file is not None:
                with self.log_file.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if self.delay_seconds:  # the server has the message; the sender waits for the reply
            await asyncio.sleep(self.delay_seconds)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [row["message_id"] for row in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(recorder: Recorder, port: int | None = None) -> Controller:
    controller = Controller(recorder, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


if __name__ == "__main__":  # python smtp_server.py PORT LOG_FILE DELAY: a server in its own process
    port, log, delay = int(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    controller = start(Recorder(delay_seconds=delay, log_file=log), port)
    threading.Event().wait()
