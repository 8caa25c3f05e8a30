"""The redeem-code API, driven over HTTP exactly as the public example clients call it."""

import hashlib
import hmac
import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy import select

from prakerja.transactions.models import Attendance, Voucher
from tests.builders import event

NOW = 1_587_500_000
STATUS = "/api/v1/integration/payment/redeem-code/status"
COMMIT = "/api/v1/integration/payment/redeem-code/commit"


def _key(cli, provider="LP-001"):
    result = cli("providers", "key", provider)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"client_code={provider}" and lines[1].startswith("secret=")
    return lines[1].removeprefix("secret=")


@pytest.fixture
def api(program, engine):
    from prakerja.api.app import create_app

    card = program.cards[0]
    program.events(
        [
            event("PURCHASE", card, "VCR8K2M4Q7", event_id="TKP-100001"),
            event("PURCHASE", card, "VREFUNDED", course_code="C-0003", amount_idr="200000"),
            event("REFUND", card, "VREFUNDED", course_code="C-0003", amount_idr="200000"),
            event("PURCHASE", card, "VOTHER", course_code="C-0002", amount_idr="50000"),
            event("COMPLETION", card, "VCR8K2M4Q7", at="2020-04-30T10:00:00+07:00"),
        ]
    )
    return TestClient(create_app(engine, clock=lambda: NOW))


def _call(client, path, secret, body, *, client_code="LP-001", timestamp=NOW, raw=None):
    compact = json.dumps(body, separators=(",", ":"))
    message = f"{client_code}{timestamp}POST{path}{compact}".encode()
    signature = hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()
    headers = {"client_code": client_code, "timestamp": str(timestamp), "signature": signature}
    content = raw if raw is not None else json.dumps(body)
    return client.post(
        path, content=content, headers={**headers, "content-type": "application/json"}
    )


def test_signature_matches_an_independent_test_vector():
    from prakerja.api.signatures import sign

    # Computed with Python's hmac module by hand for these literal inputs:
    # HMAC-SHA1(key="s3cret", msg='LP-0011587500000POST/api/v1/integration/payment/redeem-code/status{"redeem_code":"X","sequence":2}')
    expected = hmac.new(
        b"s3cret",
        b"LP-0011587500000POST/api/v1/integration/payment/redeem-code/status"
        b'{"redeem_code":"X","sequence":2}',
        hashlib.sha1,
    ).hexdigest()
    assert expected == "108df78f657bd152a1578b47dd9611d7dd33eb05"
    body = '{"redeem_code":"X","sequence":2}'
    assert sign("s3cret", "LP-001", "1587500000", STATUS, body) == expected


def test_status_then_commit_redeems_and_records_provider_attendance(api, cli, session):
    secret = _key(cli)
    answer = _call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert answer.json()["success"] is True
    assert data["status"] == 0 and data["attendance_status"] == 0 and data["sequence"] == 1
    assert data["dp_platform"] == "TOKOPEDIA" and data["course_code"] == "C-0001"
    assert data["invoice_code"] == "TKP-100001" and data["redeem_at"] is None
    assert set(data) == {
        "redeem_code",
        "course_code",
        "invoice_code",
        "schedule_code",
        "status",
        "attendance_status",
        "redeem_at",
        "dp_platform",
        "schedule_start_end",
        "course_type",
        "course_type_label",
        "course_learning_method",
        "is_online_attendance",
        "sequence",
    }
    committed = _call(api, COMMIT, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": 1})
    assert committed.status_code == 200
    assert committed.json()["data"]["status"] == 1
    assert committed.json()["data"]["attendance_status"] == 1
    assert committed.json()["data"]["redeem_at"].endswith("+07:00")
    again = _call(api, COMMIT, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": 1})
    assert again.json()["data"]["redeem_at"] == committed.json()["data"]["redeem_at"]
    rows = session.execute(select(Attendance.sequence, Attendance.source)).all()
    assert rows == [(1, "PROVIDER")]


def test_provider_commits_complete_a_waiting_webinar(api, cli, session):
    secret = _key(cli)
    for sequence in (1, 2, 3):
        answer = _call(api, COMMIT, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": sequence})
        assert answer.status_code == 200
    session.expire_all()
    assert session.get(Voucher, "VCR8K2M4Q7").completed_at is not None


def test_spaced_body_and_raw_signature_are_accepted(api, cli):
    secret = _key(cli)
    body = {"redeem_code": "VCR8K2M4Q7", "sequence": 1}
    spaced = '{ "redeem_code" : "VCR8K2M4Q7", "sequence" : 1 }'
    assert _call(api, STATUS, secret, body, raw=spaced).status_code == 200
    raw = '{"sequence":1,"redeem_code":"VCR8K2M4Q7"}'
    message = f"LP-001{NOW}POST{STATUS}{raw}".encode()
    signature = hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()
    headers = {"client_code": "LP-001", "timestamp": str(NOW), "signature": signature}
    assert api.post(STATUS, content=raw, headers=headers).status_code == 200


def test_a_spaced_body_signed_as_sent_is_accepted(api, cli):
    secret = _key(cli)
    spaced = '{ "redeem_code" : "VCR8K2M4Q7" , "sequence" : 1 }'
    for signed, status in ((spaced, 200), (spaced.replace(" 1 ", " 2 "), 401)):
        message = f"LP-001{NOW}POST{STATUS}{signed}".encode()
        signature = hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()
        headers = {"client_code": "LP-001", "timestamp": str(NOW), "signature": signature}
        answer = api.post(STATUS, content=spaced, headers=headers)
        assert answer.status_code == status, answer.text


def test_a_null_sequence_is_session_one_and_a_sequence_must_be_an_integer(api, cli):
    secret = _key(cli)
    answer = _call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": None})
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["sequence"] == 1
    for sequence in (True, "2", 2.5, 0, -1):
        refused = _call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": sequence})
        assert refused.status_code == 422, (sequence, refused.text)
        assert refused.json() == {"success": False, "message": refused.json()["message"]}
        assert refused.json()["message"].startswith("malformed body: sequence: ")
    numeric_code = _call(api, STATUS, secret, {"redeem_code": 12345})
    assert numeric_code.status_code == 422


def test_refusals_have_their_status_and_shape(api, cli):
    secret = _key(cli)
    cases = [
        (_call(api, STATUS, "wrong", {"redeem_code": "VCR8K2M4Q7"}), 401),
        (_call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"}, timestamp=NOW - 301), 401),
        (_call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"}, timestamp=NOW + 301), 401),
        (_call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"}, client_code="LP-404"), 401),
        (_call(api, STATUS, secret, {"redeem_code": "VOTHER"}), 403),
        (_call(api, STATUS, secret, {"redeem_code": "NOPE"}), 404),
        (_call(api, COMMIT, secret, {"redeem_code": "VREFUNDED"}), 409),
        (_call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": 4}), 422),
        (_call(api, STATUS, secret, {"sequence": 1}), 422),
        (_call(api, STATUS, secret, ["VCR8K2M4Q7"]), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.json()["success"] is False and response.json()["message"]
    assert (
        _call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"}, timestamp=NOW - 300).status_code
        == 200
    )
    missing = api.post(STATUS, content="{}", headers={"timestamp": str(NOW)})
    assert missing.status_code == 401


def test_the_five_minute_window_counts_whole_seconds_of_a_real_clock(program, engine, cli):
    """Contract: "a timestamp more than 5 minutes off is refused with 401".

    A live server's clock is some fraction into its current second; a client
    that sends `int(time.time()) - 300` is exactly 5 minutes off, not more.
    """
    from prakerja.api.app import create_app

    program.events([event("PURCHASE", program.cards[0], "VCR8K2M4Q7")])
    secret = _key(cli)
    body = {"redeem_code": "VCR8K2M4Q7"}
    mid_second = TestClient(create_app(engine, clock=lambda: NOW + 0.75))
    for offset, status in ((-300, 200), (300, 200), (-301, 401), (301, 401)):
        response = _call(mid_second, STATUS, secret, body, timestamp=NOW + offset)
        assert response.status_code == status, (offset, response.text)


def test_a_later_session_committed_first_is_recorded_but_does_not_redeem(api, cli):
    secret = _key(cli)
    later = _call(api, COMMIT, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": 2})
    assert later.status_code == 200, later.text
    data = later.json()["data"]
    assert (data["status"], data["attendance_status"], data["sequence"]) == (0, 1, 2)
    first = _call(api, COMMIT, secret, {"redeem_code": "VCR8K2M4Q7", "sequence": 1}).json()["data"]
    assert (first["status"], first["attendance_status"]) == (1, 1)
    assert first["redeem_at"]


def test_a_replayed_request_is_refused_once_stale(api, cli, engine):
    from prakerja.api.app import create_app

    secret = _key(cli)
    body = {"redeem_code": "VCR8K2M4Q7", "sequence": 1}
    assert _call(api, STATUS, secret, body).status_code == 200
    later = TestClient(create_app(engine, clock=lambda: NOW + 301))
    assert _call(later, STATUS, secret, body).status_code == 401


def test_rotated_key_stops_working_at_once_and_secret_is_encrypted(api, cli, session):
    from prakerja.catalog.models import ProviderCredential

    old = _key(cli)
    new = _key(cli)
    assert old != new
    assert _call(api, STATUS, old, {"redeem_code": "VCR8K2M4Q7"}).status_code == 401
    assert _call(api, STATUS, new, {"redeem_code": "VCR8K2M4Q7"}).status_code == 200
    stored = session.get(ProviderCredential, "LP-001")
    assert new not in stored.secret_ciphertext and stored.version == 2


def test_concurrent_commits_give_one_redemption(api, cli, session, engine):
    secret = _key(cli)
    body = {"redeem_code": "VCR8K2M4Q7", "sequence": 1}
    results = []
    barrier = threading.Barrier(4)

    def commit():
        barrier.wait()
        results.append(_call(api, COMMIT, secret, body))

    threads = [threading.Thread(target=commit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * 4
    assert len({r.json()["data"]["redeem_at"] for r in results}) == 1
    rows = session.execute(select(Attendance).where(Attendance.source == "PROVIDER")).all()
    assert len(rows) == 1
    from prakerja.audit.models import AuditEvent

    commits = session.scalars(select(AuditEvent).where(AuditEvent.action == "voucher.committed"))
    assert len(list(commits)) == 1


def test_docs_work_offline(api):
    page = api.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in page.text
    assert api.get("/static/api/swagger-ui/swagger-ui-bundle.js").status_code == 200
    schema = api.get("/openapi.json").json()
    assert STATUS in schema["paths"] and COMMIT in schema["paths"]


def test_provider_key_needs_a_code(cli):
    result = cli("providers", "key", "lp-001")
    assert result.exit_code != 0 and "provider code" in result.stderr


# The status hot path: one statement per request, and the decrypted secret remembered per
# stored ciphertext - a rotation (a new ciphertext) must still stop the old secret at once.


@pytest.fixture
def statements(engine):
    """The SQL statements the engine runs while the test goes on."""
    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", remember)
    yield seen
    sa_event.remove(engine, "before_cursor_execute", remember)


def test_a_status_request_reads_the_database_once(api, cli, statements):
    secret = _key(cli)
    for body, status in [
        ({"redeem_code": "VCR8K2M4Q7"}, 200),
        ({"redeem_code": "NOPE"}, 404),
        ({"redeem_code": "VOTHER"}, 403),
        ({"redeem_code": "VCR8K2M4Q7", "sequence": 9}, 422),
    ]:
        statements.clear()
        answer = _call(api, STATUS, secret, body)
        assert answer.status_code == status, answer.text
        assert len(statements) == 1, statements


def test_a_cached_secret_stops_at_once_when_the_key_is_rotated(api, cli):
    from prakerja.catalog.credentials import _decrypted

    body = {"redeem_code": "VCR8K2M4Q7"}
    old = _key(cli)
    assert _call(api, STATUS, old, body).status_code == 200
    hits = _decrypted.cache_info().hits
    assert _call(api, STATUS, old, body).status_code == 200
    assert _decrypted.cache_info().hits > hits  # the second request used the cached secret
    new = _key(cli)
    for path in (STATUS, COMMIT):
        refused = _call(api, path, old, body)
        assert refused.status_code == 401, refused.text
        assert refused.json() == {"success": False, "message": "invalid signature"}
    assert _call(api, STATUS, new, body).status_code == 200
    assert _call(api, COMMIT, new, body).status_code == 200


def test_the_signature_is_checked_before_the_body_and_the_code(api, cli):
    secret = _key(cli)
    for body in ({"sequence": 1}, ["VCR8K2M4Q7"], {"redeem_code": "NOPE"}):
        assert _call(api, STATUS, "wrong", body).status_code == 401
        assert _call(api, STATUS, secret, body, client_code="LP-404").status_code == 401
    garbled = _call(api, STATUS, secret, {"redeem_code": "VCR8K2M4Q7"}, raw="{not json")
    assert garbled.status_code == 401


def test_status_read_on_the_event_loop_answers_exactly_as_in_a_thread(api, cli, engine):
    from prakerja.api.app import create_app

    secret = _key(cli)
    cases = [
        ({"redeem_code": "VCR8K2M4Q7"}, secret),
        ({"redeem_code": "VCR8K2M4Q7", "sequence": 2}, secret),
        ({"redeem_code": "NOPE"}, secret),
        ({"redeem_code": "VOTHER"}, secret),
        ({"redeem_code": "VREFUNDED"}, secret),
        ({"redeem_code": "VCR8K2M4Q7", "sequence": 9}, secret),
        ({"sequence": 1}, secret),
        ({"redeem_code": "VCR8K2M4Q7"}, "wrong"),
    ]
    # `with` runs the lifespan: on PostgreSQL, status reads then run on the event loop.
    with TestClient(create_app(engine, clock=lambda: NOW)) as served:
        on_loop = served.app.state.async_reads is not None
        assert on_loop == (engine.dialect.name == "postgresql")
        for step in ("before", "after"):
            if step == "after":
                assert _call(served, COMMIT, secret, cases[0][0]).status_code == 200
            for body, key in cases:
                looped, threaded = _call(served, STATUS, key, body), _call(api, STATUS, key, body)
                assert (looped.status_code, looped.json()) == (
                    threaded.status_code,
                    threaded.json(),
                )
        assert _call(served, STATUS, secret, cases[0][0]).json()["data"]["status"] == 1


def test_status_reads_on_the_event_loop_survive_a_dropped_connection(api, cli, engine):
    from sqlalchemy import text

    from prakerja.api.app import create_app

    if engine.dialect.name != "postgresql":
        pytest.skip("event-loop reads are for PostgreSQL only")
    secret = _key(cli)
    body = {"redeem_code": "VCR8K2M4Q7"}
    with TestClient(create_app(engine, clock=lambda: NOW)) as served:
        assert _call(served, STATUS, secret, body).status_code == 200
        pids = [c.info.backend_pid for c in served.app.state.async_reads._opened]
        with engine.begin() as connection:
            dropped = connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"),
                {"pids": pids},
            ).scalars()
            assert all(dropped) and pids
        for _ in range(3 * 8):
            assert _call(served, STATUS, secret, body).status_code == 200
