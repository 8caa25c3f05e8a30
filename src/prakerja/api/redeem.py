"""The redeem-code API training providers call: status and commit of a participant's code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Engine, Select, String, bindparam
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from prakerja.api.signatures import compact_forms, signature_matches, timestamp_fresh
from prakerja.kit.clock import JAKARTA
from prakerja.kit.errors import PrakerjaError
from prakerja.storage.async_reads import AsyncReads, CompiledRead
from prakerja.transactions.service import RedeemCodeView

router = APIRouter(prefix="/api/v1/integration/payment/redeem-code", tags=["redeem code"])

COURSE_TYPE_LABELS = {
    "WEBINAR": ("Webinar", "ONLINE", True),
    "SELF_PACED": ("Video Pembelajaran", "ONLINE", True),
    "OFFLINE": ("Luring", "OFFLINE", False),
}


class RedeemRequest(BaseModel):
    """The body both endpoints take, validated strictly (no `true` or `"2"` for a number)."""

    model_config = ConfigDict(strict=True)

    redeem_code: str = Field(min_length=1, max_length=40)
    sequence: int = Field(
        default=1, ge=1, le=1000, description="The session number; absent or null means 1."
    )

    @field_validator("sequence", mode="before")
    @classmethod
    def _null_is_absent(cls, value: object) -> object:
        """Read `"sequence": null` as no sequence at all: session 1."""
        return 1 if value is None else value


class RedeemData(BaseModel):
    """What a successful answer carries about the code and session."""

    redeem_code: str
    course_code: str
    invoice_code: str
    schedule_code: str
    status: int = Field(description="0 purchased, 1 redeemed")
    attendance_status: int = Field(description="1 once this session's attendance is known")
    redeem_at: str | None
    dp_platform: str
    schedule_start_end: str | None
    course_type: str
    course_type_label: str
    course_learning_method: str
    is_online_attendance: bool
    sequence: int


class RedeemAnswer(BaseModel):
    """`{"success": true, "message": ..., "data": {...}}`."""

    success: bool
    message: str
    data: RedeemData | None = None


class RefusalError(Exception):
    """A refused request: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def refusal_response(status: int, message: str) -> JSONResponse:
    """Return the contract's refusal body with its status."""
    return JSONResponse({"success": False, "message": message}, status_code=status)


@dataclass(frozen=True)
class SignedRequest:
    """What arrived: the signing headers, the path and the raw body."""

    client_code: str
    timestamp: str
    signature: str
    path: str
    raw: bytes


def _signed_body(signed: SignedRequest, now: float) -> tuple[Any, list[str]]:
    """Refuse a request without signing headers or with a stale timestamp; return its body.

    The answer is the parsed JSON (None when it is not JSON) and the texts the
    client may have signed.
    """
    if not signed.client_code or not signed.timestamp or not signed.signature:
        raise RefusalError(401, "missing client_code, timestamp or signature header")
    if not timestamp_fresh(signed.timestamp, now):
        raise RefusalError(401, "timestamp is more than 5 minutes off")
    try:
        parsed: Any = json.loads(signed.raw) if signed.raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        parsed = None
    bodies = (
        compact_forms(signed.raw, parsed)
        if parsed is not None
        else [signed.raw.decode("utf-8", "replace")]
    )
    return parsed, bodies


def _verify(signed: SignedRequest, secret: str | None, bodies: list[str]) -> None:
    """Refuse a request its provider's secret (None: no credentials) did not sign."""
    if secret is None or not signature_matches(
        secret,
        signed.client_code,
        signed.timestamp,
        signed.path,
        bodies=bodies,
        given=signed.signature,
    ):
        raise RefusalError(401, "invalid signature")


def _validated(parsed: Any) -> RedeemRequest:
    """Return the body as a request, or refuse it as malformed (422)."""
    if not isinstance(parsed, dict):
        raise RefusalError(422, "the body must be a JSON object with redeem_code and sequence")
    try:
        return RedeemRequest.model_validate(parsed)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RefusalError(422, f"malformed body: {where}: {first['msg']}") from exc


def _checked_body(session: Session, signed: SignedRequest, now: float) -> RedeemRequest:
    """Refuse a request that is unsigned, stale, wrongly signed or malformed; return its body."""
    from prakerja.catalog.service import provider_secret

    parsed, bodies = _signed_body(signed, now)
    _verify(signed, provider_secret(session, signed.client_code), bodies)
    return _validated(parsed)


def _answer(view: RedeemCodeView, message: str) -> dict[str, Any]:
    """Return the contract's success body (the shape `RedeemAnswer` documents)."""
    label, method, online = COURSE_TYPE_LABELS.get(view.course_type, (view.course_type, "", True))
    redeem_at = (
        view.redeem_at.astimezone(JAKARTA).isoformat(timespec="seconds")
        if view.redeem_at is not None
        else None
    )
    data = {
        "redeem_code": view.redeem_code,
        "course_code": view.course_code,
        "invoice_code": view.invoice_code,
        "schedule_code": view.schedule_code,
        "status": view.status,
        "attendance_status": view.attendance_status,
        "redeem_at": redeem_at,
        "dp_platform": view.dp_platform,
        "schedule_start_end": None,
        "course_type": view.course_type,
        "course_type_label": label,
        "course_learning_method": method,
        "is_online_attendance": online,
        "sequence": view.sequence,
    }
    return {"success": True, "message": message, "data": data}


@cache
def _status_statement() -> Select[Any]:
    """The status request's one statement: the provider's ciphertext, then the code's facts."""
    from prakerja.catalog.service import secret_ciphertext_of
    from prakerja.transactions.service import code_statement

    return code_statement(secret_ciphertext_of(bindparam("client_code", type_=String)))


@dataclass(frozen=True)
class _StatusAsk:
    """A status request past its header checks: what was signed, the body, the read's values."""

    signed: SignedRequest
    bodies: list[str]
    body: RedeemRequest | RefusalError
    values: dict[str, Any]


def _status_ask(signed: SignedRequest, now: float) -> _StatusAsk:
    """Check a status request's headers; keep a malformed body's refusal for after its signature."""
    parsed, bodies = _signed_body(signed, now)
    try:
        body: RedeemRequest | RefusalError = _validated(parsed)
    except RefusalError as malformed:
        body = malformed
    code, sequence = (
        (body.redeem_code, body.sequence) if isinstance(body, RedeemRequest) else ("", 1)
    )
    values = {"redeem_code": code, "sequence": sequence, "client_code": signed.client_code}
    return _StatusAsk(signed, bodies, body, values)


def _status_view(ask: _StatusAsk, row: Sequence[Any]) -> RedeemCodeView:
    """Answer a status request from its one row: the signature first, then the code's refusals."""
    from prakerja.catalog.service import secret_from_ciphertext
    from prakerja.transactions.service import code_facts_of, provider_view

    facts, ciphertext = code_facts_of(row)
    client_code = ask.signed.client_code
    _verify(ask.signed, secret_from_ciphertext(client_code, ciphertext), ask.bodies)
    if isinstance(ask.body, RefusalError):
        raise ask.body
    return provider_view(facts, client_code, ask.body.sequence)


def _status(engine: Engine, signed: SignedRequest, now: float) -> RedeemCodeView:
    """Check and answer a status request with one read of the database (in a worker thread).

    The provider's stored ciphertext and the code's facts come in the same
    statement (outside any transaction: one statement sees one snapshot); the
    facts are used only once the signature is verified.
    """
    ask = _status_ask(signed, now)
    with engine.connect() as connection:
        row = connection.execute(_status_statement(), ask.values).one()
    return _status_view(ask, row)


def _refusal(error: RefusalError | PrakerjaError) -> JSONResponse:
    """Return the contract's refusal for a refused request."""
    if isinstance(error, RefusalError):
        return refusal_response(error.status, error.message)
    return refusal_response(error.status_code, error.message)


def _serve(
    engines: tuple[Engine, Engine], signed: SignedRequest, now: float, *, commit: bool
) -> JSONResponse:
    """Check and answer one request: a status in one read, a commit in one transaction.

    `engines` is the database engine and the same one in autocommit (for reads).
    """
    from prakerja.kit.clock import utc_now
    from prakerja.storage.db import unit_of_work
    from prakerja.transactions.service import commit_redeem_code

    try:
        if not commit:
            view = _status(engines[1], signed, now)
        else:
            with unit_of_work(engines[0]) as session:
                body = _checked_body(session, signed, now)
                view = commit_redeem_code(
                    session,
                    provider_code=signed.client_code,
                    redeem_code=body.redeem_code,
                    sequence=body.sequence,
                    now=utc_now(),
                )
    except (RefusalError, PrakerjaError) as refused:
        return _refusal(refused)
    return JSONResponse(_answer(view, "redeem code committed" if commit else "redeem code found"))


async def _serve_status_async(reads: AsyncReads, signed: SignedRequest, now: float) -> JSONResponse:
    """Answer a status request on the event loop itself (PostgreSQL): the same checks and read."""
    try:
        ask = _status_ask(signed, now)
        row = await reads.fetch_one(_compiled_status(reads), ask.values)
        if row is None:
            raise RuntimeError("the status statement gives one row, always")
        view = _status_view(ask, row)
    except (RefusalError, PrakerjaError) as refused:
        return _refusal(refused)
    return JSONResponse(_answer(view, "redeem code found"))


def _compiled_status(reads: AsyncReads) -> CompiledRead:
    """The status statement compiled for the database `reads` connects to (once per pool)."""
    compiled = reads.prepared.get("status")
    if compiled is None:
        compiled = reads.prepared["status"] = CompiledRead(_status_statement(), reads.engine)
    return compiled


async def _handle(request: Request, *, commit: bool) -> JSONResponse:
    headers = request.headers
    signed = SignedRequest(
        client_code=headers.get("client_code") or "",
        timestamp=headers.get("timestamp") or "",
        signature=headers.get("signature") or "",
        path=request.url.path,
        raw=await request.body(),
    )
    state = request.app.state
    reads: AsyncReads | None = state.async_reads
    if reads is not None and not commit:
        return await _serve_status_async(reads, signed, state.clock())
    engines = (state.engine, state.read_engine)
    return await run_in_threadpool(_serve, engines, signed, state.clock(), commit=commit)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong signature, or a timestamp more than 5 minutes off"},
    403: {"description": "The code is for another provider's course"},
    404: {"description": "Unknown code (never purchased, or the purchase was refused)"},
    409: {"description": "The code was refunded"},
    422: {"description": "Malformed body, or a sequence beyond the course's sessions"},
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": RedeemRequest.model_json_schema()}},
    }
}


@router.post("/status", response_model=RedeemAnswer, responses=_RESPONSES, openapi_extra=_BODY)
async def status(request: Request) -> JSONResponse:
    """Return a redeem code's state for one session (headers: client_code, timestamp, signature)."""
    return await _handle(request, commit=False)


@router.post("/commit", response_model=RedeemAnswer, responses=_RESPONSES, openapi_extra=_BODY)
async def commit(request: Request) -> JSONResponse:
    """Commit a session of a code: sequence 1 redeems it; committing again changes nothing."""
    return await _handle(request, commit=True)
