"""Vectorised column checks: each parses a whole Arrow column and marks what is wrong.

A `Field` names a contract column and how to parse it. Parsing never
raises on a bad value: it returns the parsed column (null where bad) and a
mask of the rows at fault with the reason, so that one pass over a million
rows finds every reject without a Python loop per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIMESTAMP_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
)
_INTEGER_RE = r"^-?[0-9]{1,18}$"
_TIMESTAMP_REASON = "must be an ISO 8601 timestamp with offset"


@dataclass(frozen=True)
class Parsed:
    """A parsed column: values (null where missing or bad) and the rows at fault."""

    values: pa.Array
    bad: pa.BooleanArray
    reason: str | pa.Array


Parser = Callable[[pa.Array], Parsed]


@dataclass(frozen=True)
class Field:
    """A contract column: its name, its parser, whether a value must be present.

    A `lenient` field never rejects its row: a value it cannot parse is kept
    as null and counted as a warning, for columns whose faults the contract
    turns into an outcome rather than a reject (a registration's birth date).
    """

    name: str
    parse: Parser
    required: bool = True
    lenient: bool = False


def _blank(values: pa.Array) -> pa.BooleanArray:
    return pc.fill_null(pc.equal(values, ""), True)


def _nullify(values: pa.Array, keep: pa.BooleanArray) -> pa.Array:
    if pc.all(keep).as_py() is not False:
        return values
    return pc.if_else(keep, values, pa.nulls(len(values), values.type))


def _not(mask: pa.BooleanArray) -> pa.BooleanArray:
    return pc.invert(pc.fill_null(mask, False))


def _matches(values: pa.Array, pattern: str) -> pa.BooleanArray:
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def text(max_length: int = 500) -> Parser:
    """Free text up to `max_length` characters."""

    def parse(values: pa.Array) -> Parsed:
        too_long = pc.fill_null(pc.greater(pc.utf8_length(values), max_length), False)
        reason = f"longer than {max_length} characters"
        return Parsed(_nullify(values, _not(too_long)), too_long, reason)

    return parse


def pattern(regex: str, reason: str) -> Parser:
    """Text that must match a regular expression (anchored by the caller)."""

    def parse(values: pa.Array) -> Parsed:
        bad = _not(_matches(values, regex))
        return Parsed(_nullify(values, _not(bad)), bad, reason)

    return parse


def digits(count: int) -> Parser:
    """Exactly `count` ASCII digits, kept as text (identifiers such as NIK)."""

    def parse(values: pa.Array) -> Parsed:
        shaped = pc.and_kleene(
            pc.ascii_is_decimal(values), pc.equal(pc.binary_length(values), count)
        )
        bad = _not(shaped)
        return Parsed(_nullify(values, _not(bad)), bad, f"must be exactly {count} digits")

    return parse


def one_of(choices: Sequence[str]) -> Parser:
    """One of a fixed set of codes."""
    allowed = pa.array(list(choices), pa.string())

    def parse(values: pa.Array) -> Parsed:
        bad = _not(pc.is_in(values, value_set=allowed))
        return Parsed(_nullify(values, _not(bad)), bad, "must be one of " + ", ".join(choices))

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    """A whole number (rupiah, counts), optionally bounded; never a fraction."""
    if minimum is not None and maximum is not None:
        reason = f"must be a whole number from {minimum} to {maximum}"
    elif minimum is not None:
        reason = f"must be a whole number of at least {minimum}"
    else:
        reason = "must be a whole number"

    def parse(values: pa.Array) -> Parsed:
        try:
            numbers = pc.cast(values, pa.int64())
            ok = pc.is_valid(numbers)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            shaped = _matches(values, _INTEGER_RE)
            numbers = pc.cast(_nullify(values, shaped), pa.int64())
            ok = shaped
        if minimum is not None:
            ok = pc.and_(ok, pc.fill_null(pc.greater_equal(numbers, minimum), False))
        if maximum is not None:
            ok = pc.and_(ok, pc.fill_null(pc.less_equal(numbers, maximum), False))
        return Parsed(_nullify(numbers, ok), pc.invert(ok), reason)

    return parse


def _real_dates(values: pa.Array, shaped: pa.BooleanArray) -> tuple[pa.Array, pa.BooleanArray]:
    """Parse `YYYY-MM-DD` text, refusing dates that do not exist (2020-02-30)."""
    text_dates = _nullify(pc.utf8_slice_codeunits(values, 0, 10), shaped)
    stamps = pc.strptime(text_dates, format="%Y-%m-%d", unit="s", error_is_null=True)
    round_trip = pc.strftime(stamps, format="%Y-%m-%d")
    real = pc.fill_null(pc.equal(round_trip, text_dates), False)
    return pc.cast(_nullify(stamps, real), pa.date32()), real


def date() -> Parser:
    """A calendar date `YYYY-MM-DD` that exists."""

    def parse(values: pa.Array) -> Parsed:
        try:
            dates = pc.cast(values, pa.date32())
            real = pc.is_valid(dates)
        except pa.ArrowInvalid:
            dates, real = _real_dates(values, _matches(values, _DATE_RE))
        return Parsed(dates, pc.invert(real), "must be a date YYYY-MM-DD")

    return parse


def timestamp() -> Parser:
    """An ISO 8601 timestamp with its UTC offset; parsed to a UTC instant."""

    def parse(values: pa.Array) -> Parsed:
        try:
            instants = pc.cast(values, pa.timestamp("us", tz="UTC"))
            return Parsed(instants, pc.invert(pc.is_valid(instants)), _TIMESTAMP_REASON)
        except pa.ArrowInvalid:
            pass
        shaped = _matches(values, _TIMESTAMP_RE)
        _dates, real = _real_dates(values, shaped)
        ok = pc.and_(real, _times_in_range(values, real))
        instants = _to_instants(_nullify(values, ok))
        ok = pc.and_(ok, pc.is_valid(instants))
        return Parsed(instants, pc.invert(ok), _TIMESTAMP_REASON)

    return parse


def _to_instants(values: pa.Array) -> pa.Array:
    """Cast ISO 8601 text to UTC instants; values Arrow cannot cast become null."""
    target = pa.timestamp("us", tz="UTC")
    try:
        return pc.cast(values, target)
    except pa.ArrowInvalid:
        pass
    parsed: list[dt.datetime | None] = []
    for value in values.to_pylist():
        try:
            instant = dt.datetime.fromisoformat(value) if value is not None else None
        except ValueError:
            instant = None
        parsed.append(instant if instant is None or instant.tzinfo else None)
    return pa.array(parsed, target)


def _times_in_range(values: pa.Array, real: pa.BooleanArray) -> pa.BooleanArray:
    hours = pc.cast(_nullify(pc.utf8_slice_codeunits(values, 11, 13), real), pa.int64())
    minutes = pc.cast(_nullify(pc.utf8_slice_codeunits(values, 14, 16), real), pa.int64())
    ok = pc.and_(pc.less(hours, 24), pc.less(minutes, 60))
    return pc.fill_null(ok, False)


def boolean() -> Parser:
    """`true` or `false`."""

    def parse(values: pa.Array) -> Parsed:
        lowered = pc.utf8_lower(values)
        bad = _not(pc.is_in(lowered, value_set=pa.array(["true", "false"])))
        parsed = _nullify(pc.equal(lowered, "true"), pc.invert(bad))
        return Parsed(parsed, bad, "must be true or false")

    return parse


def year_month() -> Parser:
    """A month `YYYY-MM`; parsed to the first day of that month."""

    def parse(values: pa.Array) -> Parsed:
        shaped = _matches(values, r"^[0-9]{4}-(0[1-9]|1[0-2])$")
        firsts = pc.binary_join_element_wise(_nullify(values, shaped), "-01", "")
        dates, real = _real_dates(firsts, shaped)
        return Parsed(dates, pc.invert(real), "must be a month YYYY-MM")

    return parse


def apply_field(spec: Field, raw: pa.Array) -> Parsed:
    """Parse one column, treating empty text as missing (an error when required and strict)."""
    trimmed = pc.utf8_trim_whitespace(raw)
    blank = _blank(trimmed)
    present = _nullify(trimmed, pc.invert(blank))
    parsed = spec.parse(present)
    bad_value = pc.and_(pc.fill_null(parsed.bad, False), pc.invert(blank))
    if spec.required and not spec.lenient:
        bad = pc.or_(bad_value, blank)
        reason = pc.if_else(blank, "missing", parsed.reason)
    else:
        bad = bad_value
        reason = pc.if_else(bad_value, parsed.reason, "")
    return Parsed(_nullify(parsed.values, pc.invert(bad)), bad, reason)


CODE_PATTERN = r"^[A-Z0-9_-]{1,40}$"


def code() -> Parser:
    """An upper-case ASCII code such as a platform or partner code."""
    return pattern(CODE_PATTERN, "must be an upper-case code (A-Z, 0-9, _ or -)")
