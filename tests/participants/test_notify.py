"""The notification channel: one JSON object per line in a file, or a POST to a URL."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from prakerja.config import Settings
from prakerja.participants.notify import FileNotifier, HttpNotifier, Message, notifier_from


def test_the_file_gets_one_json_object_per_line(tmp_path):
    path = tmp_path / "out.jsonl"
    notifier = FileNotifier(path)
    notifier.send(Message(to="+6281234567801", text="Kode: 123456"))
    notifier.send(Message(to="+6281234567802", text="Kode: 654321 ✓"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"channel": "sms", "to": "+6281234567801", "text": "Kode: 123456"},
        {"channel": "sms", "to": "+6281234567802", "text": "Kode: 654321 ✓"},
    ]


def test_the_url_gets_the_same_json_posted(tmp_path):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Content-Type"], json.loads(body)))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/sms"
    notifier = notifier_from(Settings(notify_url=url, notify_file=tmp_path / "unused.jsonl"))
    assert isinstance(notifier, HttpNotifier)
    notifier.send(Message(to="+6281234567801", text="Kode: 123456"))
    thread.join(5)
    server.server_close()
    assert received == [
        ("application/json", {"channel": "sms", "to": "+6281234567801", "text": "Kode: 123456"})
    ]
    assert not (tmp_path / "unused.jsonl").exists()


def test_a_failed_post_is_logged_masked_and_never_raised(caplog):
    notifier = HttpNotifier("http://127.0.0.1:9/nothing-listens", timeout=0.5)
    with caplog.at_level(logging.WARNING):
        notifier.send(Message(to="+6281234567801", text="Kode: 123456"))
    assert "not delivered" in caplog.text
    assert "+6281234567801" not in caplog.text and "123456" not in caplog.text


def test_without_a_url_the_file_is_the_channel(tmp_path):
    notifier = notifier_from(Settings(notify_url=None, notify_file=tmp_path / "n.jsonl"))
    assert isinstance(notifier, FileNotifier)
    assert notifier.path == tmp_path / "n.jsonl"
