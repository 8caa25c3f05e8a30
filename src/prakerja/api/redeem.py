"""The redeem-code API training providers call: status and commit of a participant's code.

Both endpoints check a request in the same order (`signatures.received`, then
`signatures.authenticate`: headers, timestamp, signature, body) and refuse by
raising the domain's errors, which carry their HTTP status (`api.errors`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from prakerja.api.errors import Refusal
from prakerja.api.redeem_models import RedeemAnswer, RedeemRequest, answer
from prakerja.api.signatures import Arrival, authenticate, received
from prakerja.catalog.service import provider_secret, secret_from_ciphertext
from prakerja.kit.clock import utc_now
from prakerja.storage.async_reads import AsyncReads
from prakerja.storage.db import unit_of_work
from prakerja.transactions.code_status import read_code_status, read_code_status_on_loop
from prakerja.transactions.service import RedeemCodeView, commit_redeem_code, provider_view

_SIGNING = (
    "Every request is signed: `signature` is the lower-case hex HMAC-SHA1, keyed with the "
    'provider\'s secret, of `client_code + timestamp + "POST" + path + body`, body in compact '
    "JSON (no white space, keys in the order sent)."
)
#: The three signing headers, published as the security schemes of both endpoints (checked by
#: the handlers themselves: a dependency per header would cost every request its resolution).
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "client_code": {
        "type": "apiKey",
        "in": "header",
        "name": "client_code",
        "description": "The provider's code. " + _SIGNING,
    },
    "timestamp": {
        "type": "apiKey",
        "in": "header",
        "name": "timestamp",
        "description": "Unix seconds; more than 5 minutes off is refused (401).",
    },
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": "signature",
        "description": "HMAC-SHA1 of the request, 40 lower-case hex digits. " + _SIGNING,
    },
}

router = APIRouter(prefix="/api/v1/integration/payment/redeem-code", tags=["redeem code"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Refusal, "description": "Missing or wrong signature, or a stale timestamp"},
    403: {"model": Refusal, "description": "The code is for another provider's course"},
    404: {"model": Refusal, "description": "Unknown code (never purchased, or refused)"},
    409: {"model": Refusal, "description": "The code was refunded"},
    413: {"model": Refusal, "description": "A body over the size limit"},
    422: {"model": Refusal, "description": "Malformed body, or a sequence beyond the sessions"},
}
_OPERATION = {
    "security": [{name: [] for name in SECURITY_SCHEMES}],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": RedeemRequest.model_json_schema()}},
    },
}


async def _arrival(request: Request) -> Arrival:
    """Read a request's signing headers and body; refuse missing headers or a stale timestamp."""
    raw = await request.body()
    return received(request.headers, request.url.path, raw, request.app.state.clock())


@router.post("/status", response_model=RedeemAnswer, responses=_RESPONSES, openapi_extra=_OPERATION)
async def status(request: Request) -> RedeemAnswer:
    """Return a redeem code's state for one session (read in one statement)."""
    arrival = await _arrival(request)
    code, sequence = arrival.redeem_code, arrival.sequence
    reads: AsyncReads | None = request.app.state.async_reads
    if reads is not None:  # PostgreSQL while serving: read on the event loop itself
        found = await read_code_status_on_loop(
            reads, client_code=arrival.client_code, redeem_code=code, sequence=sequence
        )
    else:
        found = await run_in_threadpool(
            lambda: read_code_status(
                request.app.state.read_engine,
                client_code=arrival.client_code,
                redeem_code=code,
                sequence=sequence,
            )
        )
    body = authenticate(arrival, secret_from_ciphertext(arrival.client_code, found.ciphertext))
    view = provider_view(found.facts, arrival.client_code, body.sequence)
    return answer(view, "redeem code found")


@router.post("/commit", response_model=RedeemAnswer, responses=_RESPONSES, openapi_extra=_OPERATION)
async def commit(request: Request) -> RedeemAnswer:
    """Commit a session of a code: sequence 1 redeems it; committing again changes nothing."""
    arrival = await _arrival(request)
    view = await run_in_threadpool(_commit, request.app.state.engine, arrival)
    return answer(view, "redeem code committed")


def _commit(engine: Engine, arrival: Arrival) -> RedeemCodeView:
    """Authenticate and commit in one transaction (in a worker thread)."""
    with unit_of_work(engine) as session:
        body = authenticate(arrival, provider_secret(session, arrival.client_code))
        return commit_redeem_code(
            session,
            provider_code=arrival.client_code,
            redeem_code=body.redeem_code,
            sequence=body.sequence,
            now=utc_now(),
        )
