"""What the redeem-code API takes and answers, as the models FastAPI validates and documents."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from prakerja.kit.clock import JAKARTA
from prakerja.transactions.service import RedeemCodeView

#: Course types as the answer labels them: label, learning method, online attendance.
COURSE_TYPE_LABELS = {
    "WEBINAR": ("Webinar", "ONLINE", True),
    "SELF_PACED": ("Video Pembelajaran", "ONLINE", True),
    "OFFLINE": ("Luring", "OFFLINE", False),
}
#: A redeem code: printable text (no control characters, which no code holds).
REDEEM_CODE_PATTERN = r"^[^\x00-\x1f\x7f]+$"
MAX_SEQUENCE = 1000

_SEQUENCE_SCHEMA = {
    "anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_SEQUENCE}, {"type": "null"}],
    "default": 1,
    "description": "The session number; absent or null means 1.",
}


class RedeemRequest(BaseModel):
    """The body both endpoints take, validated strictly (no `true` or `"2"` for a number)."""

    model_config = ConfigDict(strict=True)

    redeem_code: str = Field(
        min_length=1, max_length=40, pattern=REDEEM_CODE_PATTERN, examples=["VCR8K2M4Q7"]
    )
    sequence: Annotated[int, WithJsonSchema(_SEQUENCE_SCHEMA)] = Field(
        default=1, ge=1, le=MAX_SEQUENCE
    )

    @field_validator("sequence", mode="before")
    @classmethod
    def _as_session_number(cls, value: object) -> object:
        """Read null as session 1, and an integral number like `2.0` (JSON's 2) as that integer."""
        if value is None:
            return 1
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class RedeemData(BaseModel):
    """What a successful answer carries about the code and session."""

    redeem_code: str
    course_code: str
    invoice_code: str
    schedule_code: str
    status: int = Field(description="0 purchased, 1 redeemed")
    attendance_status: int = Field(description="1 once this session's attendance is known")
    redeem_at: str | None = Field(description="When the code was redeemed, Jakarta time")
    dp_platform: str
    schedule_start_end: str | None
    course_type: str
    course_type_label: str
    course_learning_method: str
    is_online_attendance: bool
    sequence: int


class RedeemAnswer(BaseModel):
    """`{"success": true, "message": ..., "data": {...}}`."""

    success: Literal[True] = True
    message: str
    data: RedeemData


def answer(view: RedeemCodeView, message: str) -> RedeemAnswer:
    """Return the contract's success answer about a code and session."""
    label, method, online = COURSE_TYPE_LABELS.get(view.course_type, (view.course_type, "", True))
    redeem_at = (
        view.redeem_at.astimezone(JAKARTA).isoformat(timespec="seconds")
        if view.redeem_at is not None
        else None
    )
    data = RedeemData(
        redeem_code=view.redeem_code,
        course_code=view.course_code,
        invoice_code=view.invoice_code,
        schedule_code=view.schedule_code,
        status=view.status,
        attendance_status=view.attendance_status,
        redeem_at=redeem_at,
        dp_platform=view.dp_platform,
        schedule_start_end=None,
        course_type=view.course_type,
        course_type_label=label,
        course_learning_method=method,
        is_online_attendance=online,
        sequence=view.sequence,
    )
    return RedeemAnswer(message=message, data=data)
