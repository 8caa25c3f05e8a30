"""Messages to participants through one channel: an HTTP endpoint or a JSON Lines file."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from prakerja.config import Settings
from prakerja.kit.mask import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message to a participant, as the channel receives it (JSON)."""

    to: str
    text: str
    channel: str = "sms"

    def as_json(self) -> str:
        """Return the message as one JSON object: channel, to, text."""
        return json.dumps(
            {"channel": self.channel, "to": self.to, "text": self.text}, ensure_ascii=False
        )


class Notifier(Protocol):
    """Sends a message to a participant; a failure is logged, never raised."""

    def send(self, message: Message) -> None:
        """Send one message."""


class FileNotifier:
    """Appends each message as one JSON line to a file (the default channel)."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: Message) -> None:
        """Append the message as one line (whole lines only, even from several threads)."""
        line = (message.as_json() + "\n").encode()
        try:
            with self._lock, self.path.open("ab") as handle:
                handle.write(line)
        except OSError as error:
            log.warning(
                "message to %s not written to %s: %s", mask_phone(message.to), self.path, error
            )


class HttpNotifier:
    """POSTs each message as JSON to a URL, with a short timeout."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, message: Message) -> None:
        """POST the message; a refusal or a timeout is logged in one line."""
        request = urllib.request.Request(  # noqa: S310 - the operator's configured URL
            self.url,
            data=message.as_json().encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(1024)
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.warning(
                "message to %s not delivered to the notify URL: %s", mask_phone(message.to), error
            )


def notifier_from(settings: Settings) -> Notifier:
    """Return the configured channel: the URL when set, else the file."""
    if settings.notify_url:
        return HttpNotifier(settings.notify_url, timeout=settings.notify_timeout_seconds)
    return FileNotifier(settings.notify_file)
