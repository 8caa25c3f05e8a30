"""`prakerja serve` as an operator starts it: one process serving the APIs and the pages."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

LAUNCH = "from prakerja.cli.main import run; run()"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8")


@pytest.fixture
def served(database_url, engine):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--db", database_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # The workers (one per CPU) each import the service before the port answers:
        # on a busy machine that takes a while, so wait for it rather than a fixed count.
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(f"{base}/openapi.json")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode() if server.stderr else "exited")
                if time.monotonic() > deadline:
                    pytest.fail("prakerja serve did not answer within 90 s")
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_answers_the_staff_sign_in_the_participants_page_the_docs_and_the_redeem_api(served):
    status, page = _get(f"{served}/?lang=en")  # the overview sends a stranger to /login
    assert status == 200 and 'name="password"' in page and "Sign in" in page
    status, page = _get(f"{served}/saya?lang=en")
    assert status == 200 and 'action="/saya/kode' in page
    status, page = _get(f"{served}/docs")
    assert status == 200 and "swagger-ui" in page
    status, spec = _get(f"{served}/openapi.json")
    assert "/api/v1/integration/payment/redeem-code/commit" in json.loads(spec)["paths"]
    unsigned = urllib.request.Request(
        f"{served}/api/v1/integration/payment/redeem-code/status",
        data=b'{"redeem_code":"X"}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=5)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["success"] is False
