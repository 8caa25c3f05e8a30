"""Schemathesis against `/openapi.json`: no 5xx, and every answer as the schema documents it.

Requests are authorised by the security schemes their operation declares: each
scheme name maps to a hook that fills in its credentials (`AUTH_HOOKS`). The
redeem-code API's three signing headers are one hook, which signs the body
the case will send. Another API (the partner API's Bearer tokens) is covered
by adding its scheme's hook here; an operation whose schemes have no hook fails
the test rather than being sent unauthorised.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from tests.api.partner_world import token
from tests.api.signing import NOW, headers_for, issue_key

#: State-dependent refusals of valid requests (a code unknown or another provider's, a
#: refunded one, a sequence beyond the course's sessions) are answers, not failures.
#: `ignored_auth` is off: the hooks below put real credentials on every case, which that
#: check takes for generated ones; refusing missing and wrong credentials is tested in
#: test_redeem_api.py, test_hostile_requests.py and test_partner_api.py.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", 401, 403, 404, 409, 422]},
            # A body over its path's limit is refused before it is read: 413 is a refusal too.
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
            },
            "ignored_auth": {"enabled": False},
        },
    }
)


def _compact_body(case):
    """The body text a client signs: the compact JSON of what the case will send."""
    body = case.body
    if body is None or type(body).__name__ == "NotSet":
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", "surrogateescape")
    return json.dumps(body, separators=(",", ":"))


def sign_redeem_request(case, credentials):
    """Fill in the three signing headers for the body this case sends."""
    headers = headers_for(credentials["redeem_secret"], case.path, _compact_body(case))
    case.headers = {**(case.headers or {}), **headers}


def bear_partner_token(case, credentials):
    """Send the partner's token as `Authorization: Bearer ...`."""
    case.headers = {**(case.headers or {}), **credentials["partner"]}


#: Security scheme names (as `/openapi.json` declares them) -> the hook that authorises.
AUTH_HOOKS = {
    frozenset({"client_code", "timestamp", "signature"}): sign_redeem_request,
    frozenset({"partnerToken"}): bear_partner_token,
}


def authorise(case, credentials):
    """Apply the hook of the operation's security requirement (none: sent as it is)."""
    requirements = case.operation.definition.raw.get("security")
    if not requirements:
        assert not case.path.startswith("/api/"), f"{case.path} declares no security scheme"
        return
    schemes = frozenset(requirements[0])
    assert schemes in AUTH_HOOKS, f"no auth hook for {sorted(schemes)}: add one to AUTH_HOOKS"
    AUTH_HOOKS[schemes](case, credentials)


@pytest.fixture
def credentials(cli, engine):
    return {
        "redeem_secret": issue_key(cli),
        "partner": token(engine, "OVO", "partner-results", "payout-accounts"),
    }


@pytest.fixture
def api_schema(engine, program, tmp_path):
    from prakerja.server import create_service
    from tests.builders import event

    program.events(
        [
            event("PURCHASE", program.cards[0], "VCR8K2M4Q7", event_id="TKP-1"),
            event("PURCHASE", program.cards[1], "VOTHER", course_code="C-0002"),
        ]
    )
    app = create_service(engine, clock=lambda: NOW)
    app.state.partner_uploads = tmp_path / "uploads"
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_schema(api_schema, credentials, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 2
    statuses = []
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=mode)
        if mode == GenerationMode.POSITIVE:  # the schema's own examples too: a code that exists
            strategy = st.one_of(strategy, *api_schema.get_strategies_from_examples(operation))

        @given(case=strategy)
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case):
            authorise(case, credentials)
            statuses.append(case.call_and_validate().status_code)

        call()
    assert statuses and max(statuses) < 500
    if mode == GenerationMode.POSITIVE:
        assert 401 not in statuses  # the hook signed every request the schema allows
        assert 200 in statuses  # and the answers of the codes that exist kept their schema
