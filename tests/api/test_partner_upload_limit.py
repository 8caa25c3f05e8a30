"""An upload over the limit is 413, streamed: never held in memory, never written past the limit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from prakerja.api import uploads
from tests.api.partner_world import served, token

BOUNDARY = "partnerboundary"
URL = "/api/v1/partner/files/partner-results"
HEADER_ROW = (
    b"partner_code,instruction_id,partner_txn_id,account_id,amount_idr,status,"
    b"failure_code,processed_at\n"
)


def _multipart(file_bytes: int, chunk: int = 64 * 1024):
    """A multipart body with one `file` part of `file_bytes` bytes, yielded chunk by chunk."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="results.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    yield HEADER_ROW
    row = b"OVO,INS-1,TX-1,0811,600000,SUCCESS,,2020-05-05T10:00:00+07:00\n"
    block = row * (chunk // len(row))
    sent = len(HEADER_ROW)
    while sent < file_bytes:
        piece = block[: file_bytes - sent]
        sent += len(piece)
        yield piece
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def uploads_dir(tmp_path, monkeypatch):
    """PRAKERJA_DATA_DIR in the test's folder, set before the live service reads its settings."""
    from prakerja.config import get_settings

    monkeypatch.setenv("PRAKERJA_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data" / "partner-uploads"
    get_settings.cache_clear()


@pytest.fixture
def server(uploads_dir, live_server):
    """The whole service, live, keeping uploads under `uploads_dir`."""
    return live_server


def _headers(engine) -> dict[str, str]:
    return {
        **token(engine, "OVO", "partner-results"),
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
    }


def test_past_the_limit_nothing_more_is_written_and_nothing_is_kept(
    engine, server, uploads_dir, monkeypatch
):
    monkeypatch.setattr(uploads, "UPLOAD_LIMIT_BYTES", 256 * 1024)
    written: list[int] = []
    original = uploads._Parts.part_data

    def spy(self, data, start, end):
        original(self, data, start, end)
        written.append(self.written.size if self.written else 0)

    monkeypatch.setattr(uploads._Parts, "part_data", spy)
    headers = _headers(engine)
    with httpx.Client(base_url=server, timeout=60) as client:
        answer = client.post(URL, headers=headers, content=_multipart(2 * 1024 * 1024))
    assert answer.status_code == 413
    assert answer.json()["success"] is False
    assert written, "the file part was being written as it came"
    assert max(written) <= 256 * 1024
    assert uploads_dir.is_dir()
    assert list(uploads_dir.rglob("*.csv")) == []


def test_a_body_within_the_limit_loads(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_LIMIT_BYTES", 256 * 1024)
    client = served(engine, tmp_path / "uploads")
    answer = client.post(URL, headers=_headers(engine), content=_multipart(100 * 1024))
    assert answer.status_code == 200, answer.text
    assert answer.json()["loaded"] == 1
    assert answer.json()["duplicates"] > 1000


def test_a_declared_length_over_the_limit_is_refused_before_reading(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_LIMIT_BYTES", 1024)
    client = served(engine, tmp_path / "uploads")
    body = b"".join(_multipart(4096))
    answer = client.post(URL, headers=_headers(engine), content=body)
    assert answer.status_code == 413
    assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").rglob("*.*")) == []


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_a_101_mb_upload_is_413_without_the_server_growing(engine, server):
    headers = _headers(engine)
    peak = baseline = _rss_bytes()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_bytes())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with httpx.Client(base_url=server, timeout=120) as client:
            answer = client.post(URL, headers=headers, content=_multipart(101 * 1024 * 1024))
    finally:
        done.set()
        sampler.join()
    assert answer.status_code == 413
    assert answer.json()["success"] is False
    assert peak - baseline < 40 * 1024 * 1024, f"grew by {(peak - baseline) >> 20} MB"
