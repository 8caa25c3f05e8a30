"""The partner API's bodies, as its OpenAPI document shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class RejectOut(BaseModel):
    """One rejected row: its line, the column at fault (empty: the whole row), why."""

    line: int
    column: str
    reason: str


class UploadAnswer(BaseModel):
    """The summary counts of the import and every reject."""

    success: bool
    loaded: int
    duplicates: int
    rejected: int
    pending: int
    rejects: list[RejectOut]


class PartnerBreak(BaseModel):
    """A break naming the partner: breaks.csv's columns, and the partner's latest dispute."""

    break_id: str
    break_type: str
    partner_code: str | None
    batch_id: str | None
    instruction_id: str | None
    partner_txn_id: str | None
    voucher_code: str | None
    card_number: str | None
    incentive_kind: str | None
    tranche: int | None
    expected_amount_idr: int | None
    reported_amount_idr: int | None
    detected_on: dt.date
    resolved_on: dt.date | None
    status: str
    dispute_reason: str | None
    disputed_on: dt.date | None


class BreaksAnswer(BaseModel):
    """`{"success": true, "breaks": [...]}`."""

    success: bool
    breaks: list[PartnerBreak]


class DisputeRequest(BaseModel):
    """Why the partner disputes the break."""

    reason: str = Field(min_length=1, max_length=1000)


class Done(BaseModel):
    """`{"success": true}`."""

    success: bool


class Refusal(BaseModel):
    """`{"success": false, "message": ...}`."""

    success: bool
    message: str


class PartnerGrievance(BaseModel):
    """A participant's NOT_RECEIVED grievance about one of the partner's successful payments."""

    grievance_id: str
    instruction_id: str
    category: str
    opened_on: dt.date
    status: str = Field(description="OPEN or RESOLVED")
    resolved_on: dt.date | None


class GrievancesAnswer(BaseModel):
    """`{"success": true, "grievances": [...]}`."""

    success: bool
    grievances: list[PartnerGrievance]
