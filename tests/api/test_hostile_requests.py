"""Before authentication, a stranger's request is a 4xx with one log line, whoever it names.

Each case is one member of a class that once cost a 500 and a 75-line traceback
(deep nesting, giant numbers, NUL and lone surrogates, bytes that are not UTF-8,
headers that are not ASCII) or that could tell a stranger which client codes
exist. Every case is sent to both endpoints, for a known and an unknown client.
"""

import logging

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.signing import COMMIT, ENDPOINTS, NOW, STATUS, compact, issue_key, signed_post

WRONG = "0" * 40

HOSTILE_BODIES = {
    "nested 1,000 deep": b'{"redeem_code":' + b"[" * 1000 + b"]" * 1000 + b"}",
    "nested 30,000 deep": b"[" * 30_000 + b"]" * 30_000,
    "5,000-digit integer": b'{"redeem_code":"X","sequence":' + b"9" * 5000 + b"}",
    "4,000-digit integer": b'{"redeem_code":"X","sequence":' + b"9" * 4000 + b"}",
    "NUL in the code": b'{"redeem_code":"VCR\\u0000X"}',
    "raw control character": b'{"redeem_code":"VCR\x01X"}',
    "lone surrogate": b'{"redeem_code":"\\ud800","sequence":1}',
    "lone low surrogate": b'{"redeem_code":"X\\udfff"}',
    "invalid UTF-8": b'{"redeem_code":"\xff\xfe\xc3"}',
    "UTF-8 surrogate bytes": b'{"redeem_code":"\xed\xa0\x80"}',
    "UTF-16": '{"redeem_code":"X"}'.encode("utf-16"),
    "huge string": b'{"redeem_code":"' + b"A" * 60_000 + b'"}',
    "infinite float": b'{"redeem_code":"X","sequence":1e400}',
    "NaN": b'{"redeem_code":"X","sequence":NaN}',
    "huge integral float": b'{"redeem_code":"X","sequence":1e300}',
    "form data": b"redeem_code=VCR8K2M4Q7&sequence=1",
    "empty": b"",
    "JSON null": b"null",
    "a string": b'"VCR8K2M4Q7"',
    "duplicate keys": b'{"redeem_code":"A","redeem_code":{"x":1}}',
}
CONTENT_TYPES = [None, "application/json", "multipart/form-data; boundary=x", "text/plain"]


@pytest.fixture
def served(engine, cli):
    from prakerja.api.app import create_app

    secret = issue_key(cli)
    return TestClient(create_app(engine, clock=lambda: NOW)), secret


def _one_refusal_line(caplog, response):
    refused = [r for r in caplog.records if r.name == "prakerja.http"]
    assert len(refused) == 1, [r.getMessage() for r in refused]
    assert refused[0].exc_info is None
    assert str(response.status_code) in refused[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _refused(response, status=None):
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.json() == {"success": False, "message": response.json()["message"]}
    assert response.json()["message"]


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_strangers_hostile_body_is_the_same_401_for_known_and_unknown_clients(
    served, caplog, name
):
    client, _ = served
    raw = HOSTILE_BODIES[name]
    for path in ENDPOINTS:
        for content_type in CONTENT_TYPES:
            answers = []
            for client_code in ("LP-001", "LP-404"):
                headers = {"client_code": client_code, "timestamp": str(NOW), "signature": WRONG}
                if content_type:
                    headers["content-type"] = content_type
                caplog.clear()
                with caplog.at_level(logging.INFO):
                    response = client.post(path, content=raw, headers=headers)
                _refused(response, 401)
                _one_refusal_line(caplog, response)
                answers.append(response.json())
            assert answers[0] == answers[1], (name, path)


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_known_client_signing_a_hostile_body_gets_a_4xx_not_a_500(served, caplog, name):
    client, secret = served
    for path in ENDPOINTS:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = signed_post(client, path, secret, HOSTILE_BODIES[name])
        _refused(response)
        assert response.status_code in (401, 404, 422), (name, response.text)
        _one_refusal_line(caplog, response)


HOSTILE_HEADERS = [
    {"signature": "é" * 40},
    {"signature": "\x00" * 40},
    {"signature": "A" * 10_000},
    {"client_code": "LP-001\x00"},
    {"client_code": "LP-\u00e9"},
    {"client_code": "L" * 5000},
    {"client_code": "LP-001\u0000' OR 1=1 --"},
    {"timestamp": "9" * 5000},
    {"timestamp": "1e9"},
    {"timestamp": "١٥٨٧٥٠٠٠٠٠"},
    {"timestamp": "-" + "9" * 30},
    {"timestamp": ""},
]


@pytest.mark.parametrize("overrides", HOSTILE_HEADERS, ids=str)
def test_hostile_signing_headers_are_a_401(served, caplog, overrides):
    client, _ = served
    body = b'{"redeem_code":"VCR8K2M4Q7"}'
    for path in ENDPOINTS:
        answers = []
        for client_code in ("LP-001", "LP-404"):
            headers = {"client_code": client_code, "timestamp": str(NOW), "signature": WRONG}
            headers.update(overrides)
            encoded = {k: v.encode("utf-8") for k, v in headers.items()}
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = client.post(path, content=body, headers=encoded)
            _refused(response, 401)
            _one_refusal_line(caplog, response)
            answers.append(response.json())
        assert answers[0] == answers[1]


def test_an_integral_float_sequence_is_that_session(program, engine, cli):
    """JSON Schema's integer includes 2.0: what the schema promises, the server accepts."""
    from prakerja.api.app import create_app
    from tests.builders import event

    program.events([event("PURCHASE", program.cards[0], "VCR8K2M4Q7")])
    secret = issue_key(cli)
    client = TestClient(create_app(engine, clock=lambda: NOW))
    for path in (STATUS, COMMIT):
        text = '{"redeem_code":"VCR8K2M4Q7","sequence":2.0}'
        response = signed_post(client, path, secret, text)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["sequence"] == 2
    half = signed_post(client, STATUS, secret, '{"redeem_code":"VCR8K2M4Q7","sequence":2.5}')
    assert half.status_code == 422


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["redeem_code", "sequence"]) | st.text(max_size=8), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=JSON_VALUES | st.binary(max_size=300).map(lambda raw: raw),
    path=st.sampled_from(ENDPOINTS),
    known=st.booleans(),
)
def test_random_bodies_never_cost_a_500(served, caplog, body, path, known):
    client, secret = served
    raw = body if isinstance(body, bytes) else compact(body).encode("utf-8", "surrogatepass")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        if known:
            response = signed_post(client, path, secret, raw)
        else:
            response = client.post(
                path,
                content=raw,
                headers={"client_code": "LP-001", "timestamp": str(NOW), "signature": WRONG},
            )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _refused(response)
        _one_refusal_line(caplog, response)
