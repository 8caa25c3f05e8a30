"""The partner HTTP API: send contract files, read own breaks and instructions, dispute a break.

Every request carries `Authorization: Bearer TOKEN` (`prakerja partners
token`); a partner sees and sends only its own. Refusals are the contract's
`{"success": false, "message": ...}` with their status and one log line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import shutil
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathPart
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from prakerja.api import uploads
from prakerja.api.partner_schemas import (
    BreaksAnswer,
    DisputeRequest,
    Done,
    GrievancesAnswer,
    PartnerBreak,
    PartnerGrievance,
    Refusal,
    UploadAnswer,
)
from prakerja.api.uploads import TooLargeError, multipart_boundary, stream_file_part
from prakerja.ingest.kinds import LOADERS
from prakerja.kit.clock import jakarta_date, parse_date
from prakerja.kit.errors import InputError, NotFoundError, PrakerjaError
from prakerja.partners.rules import safe_file_name
from prakerja.partners.service import Grant as PartnerGrant
from prakerja.partners.service import (
    dispute_break,
    grant_for,
    import_upload,
    partner_breaks,
    upload_folder,
)
from prakerja.payouts.service import instructions_of_partner
from prakerja.storage.db import unit_of_work

log = logging.getLogger("prakerja.api.partner")

#: The largest dispute body read (a reason is at most 1,000 characters).
DISPUTE_LIMIT_BYTES = 8 * 1024


class RefusedError(PrakerjaError):
    """A partner request refused with a given status (401, 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status


class _RefusingRoute(APIRoute):
    """A route whose refusals (from its dependencies too) are the contract's JSON body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except PrakerjaError as refused:
                return _refusal(request, refused.status_code, refused.message)
            except RequestValidationError as invalid:
                first = invalid.errors()[0]
                where = ".".join(str(part) for part in first.get("loc", ()))
                return _refusal(request, 422, f"{where}: {first.get('msg', 'invalid')}")

        return answer


def _refusal(request: Request, status: int, message: str) -> JSONResponse:
    # %r keeps the line one line whatever a stranger put in a path or body.
    log.info("partner API %s %r refused %d: %r", request.method, request.url.path, status, message)
    return JSONResponse({"success": False, "message": message}, status_code=status)


router = APIRouter(prefix="/api/v1/partner", tags=["partner"], route_class=_RefusingRoute)
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="partnerToken",
    description="The partner's token from `prakerja partners token CODE --kinds ...`.",
)


async def partner_grant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> PartnerGrant:
    """Return the token's grant (partner and kinds), or refuse a missing or unknown token."""
    if credentials is None or not credentials.credentials:
        raise RefusedError(401, "missing bearer token (Authorization: Bearer TOKEN)")

    def look_up() -> PartnerGrant | None:
        with unit_of_work(request.app.state.engine) as session:
            return grant_for(session, credentials.credentials)

    grant = await run_in_threadpool(look_up)
    if grant is None:
        raise RefusedError(401, "unknown token")
    return grant


Grant = Annotated[PartnerGrant, Depends(partner_grant)]


def _responses(**described: str) -> dict[int | str, dict[str, Any]]:
    answers: dict[int | str, dict[str, Any]] = {
        401: {"model": Refusal, "description": "Missing or unknown token"},
        422: {"model": Refusal, "description": "Malformed request"},
    }
    for status, description in described.items():
        answers[int(status.removeprefix("s"))] = {"model": Refusal, "description": description}
    return answers


def _day(text: str | None) -> dt.date | None:
    return parse_date(text) if text else None


_KINDS_TEXT = "An import kind the token was issued for: " + ", ".join(LOADERS) + "."

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/files/{kind}",
    response_model=UploadAnswer,
    openapi_extra=_UPLOAD_BODY,
    responses=_responses(
        s403="The token was not issued for this kind",
        s413=f"The body is over {uploads.UPLOAD_LIMIT_BYTES} bytes (100 MB)",
        s422="The file is unusable as a whole (missing column, unreadable), or not multipart",
    ),
)
async def upload_file(
    request: Request,
    grant: Grant,
    kind: Annotated[str, PathPart(max_length=40, description=_KINDS_TEXT)],
) -> JSONResponse:
    """Import a contract file exactly as `prakerja import KIND` does; answer counts and rejects."""
    if kind not in grant.kinds:
        raise RefusedError(403, f"this token may not send {kind!r}")
    limit = uploads.UPLOAD_LIMIT_BYTES
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLargeError(f"the body is over the limit of {limit} bytes")
    boundary = multipart_boundary(request.headers.get("content-type"))
    folder = await run_in_threadpool(
        upload_folder, request.app.state.partner_uploads, partner_code=grant.partner_code
    )
    try:
        streamed = await stream_file_part(
            request.stream(), boundary=boundary, name_file=_namer(folder), limit=limit
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    answer = await run_in_threadpool(
        import_upload,
        request.app.state.engine,
        partner_code=grant.partner_code,
        kind=kind,
        path=streamed.path,
        size_bytes=streamed.size,
    )
    summary = answer.summary
    body = {
        "success": True,
        "loaded": summary.loaded,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "pending": summary.pending,
        "rejects": [
            {"line": r.line, "column": r.column, "reason": r.reason} for r in answer.rejects
        ],
    }
    return JSONResponse(body)


def _namer(folder: Path) -> Callable[[str | None], Path]:
    def name(given: str | None) -> Path:
        return folder / safe_file_name(given)

    return name


@router.get(
    "/breaks",
    response_model=BreaksAnswer,
    responses=_responses(),
)
async def list_breaks(
    request: Request,
    grant: Grant,
    date: Annotated[
        str | None, Query(max_length=10, description="YYYY-MM-DD; default: latest reconciled")
    ] = None,
    status: Annotated[str, Query(max_length=8, description="OPEN, RESOLVED or ALL")] = "OPEN",
) -> JSONResponse:
    """The token's partner's breaks as of a day (breaks.csv's columns), with its disputes."""
    day = _day(date)

    def read() -> list[dict[str, Any]]:
        with unit_of_work(request.app.state.engine) as session:
            return partner_breaks(session, partner_code=grant.partner_code, day=day, status=status)[
                1
            ]

    breaks = await run_in_threadpool(read)
    answer = BreaksAnswer(success=True, breaks=[PartnerBreak(**found) for found in breaks])
    return JSONResponse(answer.model_dump(mode="json"))


@router.get(
    "/instructions",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "instructions-PARTNER-DATE.csv"},
        **_responses(s404="No instructions for this partner on that day"),
    },
)
async def instructions(
    request: Request,
    grant: Grant,
    date: Annotated[str, Query(max_length=10, description="The business day, YYYY-MM-DD")],
) -> Response:
    """The token's payment partner's instructions of a day, as instructions-PARTNER-DATE.csv."""
    day = _day(date)
    if day is None:
        raise InputError("date: give a day YYYY-MM-DD")

    def read() -> Any:
        with unit_of_work(request.app.state.engine) as session:
            return instructions_of_partner(session, partner_code=grant.partner_code, day=day)

    rows = await run_in_threadpool(read)
    if rows.num_rows == 0:
        raise NotFoundError(f"no instructions for {grant.partner_code} on {day.isoformat()}")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(rows.column_names)
    writer.writerows(zip(*(rows[name].to_pylist() for name in rows.column_names), strict=True))
    name = f"instructions-{grant.partner_code}-{day.isoformat()}.csv"
    return Response(
        text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_DISPUTE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": DisputeRequest.model_json_schema()}},
    }
}


@router.post(
    "/breaks/{break_id}/dispute",
    response_model=Done,
    openapi_extra=_DISPUTE_BODY,
    responses=_responses(
        s404="No such break of this partner", s413=f"The body is over {DISPUTE_LIMIT_BYTES} bytes"
    ),
)
async def dispute(
    request: Request, grant: Grant, break_id: Annotated[str, PathPart(max_length=40)]
) -> JSONResponse:
    """Dispute one of the partner's breaks with a written reason; the break stays as it is."""
    body = await _small_json(request, DISPUTE_LIMIT_BYTES)
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
        raise InputError('the body must be a JSON object {"reason": "..."}')
    day = jakarta_date(dt.datetime.fromtimestamp(request.app.state.clock(), dt.UTC))

    def write() -> None:
        with unit_of_work(request.app.state.engine) as session:
            dispute_break(
                session,
                partner_code=grant.partner_code,
                break_id=break_id,
                reason=body["reason"],
                day=day,
            )

    await run_in_threadpool(write)
    return JSONResponse({"success": True})


async def _small_json(request: Request, limit: int) -> Any:
    """Read a JSON body of at most `limit` bytes (413 past it); None when it is not JSON."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise TooLargeError(f"the body is over the limit of {limit} bytes")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


@router.get("/grievances", response_model=GrievancesAnswer, responses=_responses())
async def list_grievances(request: Request, grant: Grant) -> JSONResponse:
    """Participants' NOT_RECEIVED grievances about the partner's instructions it reported paid."""
    from prakerja.participants.service import partner_grievances
    from prakerja.storage.db import unit_of_work

    def read() -> list[dict[str, object]]:
        with unit_of_work(request.app.state.engine) as session:
            return partner_grievances(session, partner_code=grant.partner_code)

    found = await run_in_threadpool(read)
    answer = GrievancesAnswer(
        success=True, grievances=[PartnerGrievance.model_validate(row) for row in found]
    )
    return JSONResponse(answer.model_dump(mode="json"))
