"""Loaders of the registry's contract files: waves, participants, exclusions."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.ingest import checks
from prakerja.ingest.checks import Field
from prakerja.ingest.pipeline import ImportContext, Loader, StoreOutcome
from prakerja.ingest.validate import REJECT_SCHEMA, ROW
from prakerja.kit.clock import utc_now
from prakerja.registry.codes import EDUCATION_LEVELS, Employment
from prakerja.registry.models import Exclusion, Registration, Wave, WaveQuota
from prakerja.registry.warnings import registration_warnings
from prakerja.schemes.loader import all_schemes
from prakerja.schemes.model import ListCode
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.storage.scope import fetch_arrow_matching

_PROVINCE_OR_NATIONAL = r"^([0-9]{2}|\*)$"


class WavesLoader(Loader):
    """waves.csv: create or update waves and their provincial (or national) quotas."""

    kind: ClassVar[str] = "waves"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("wave", checks.integer(minimum=1)),
        Field("scheme", checks.code()),
        Field("opens_on", checks.date()),
        Field("closes_on", checks.date()),
        Field("province_code", checks.pattern(_PROVINCE_OR_NATIONAL, "must be 2 digits or *")),
        Field("quota", checks.integer(minimum=0)),
    )
    key: ClassVar[tuple[str, ...]] = ("wave", "province_code")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(Wave), table_of(WaveQuota))

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Apply each row in file order; a selected wave's quotas never change."""
        schemes = all_schemes()
        duplicates = 0
        rejects: list[dict[str, Any]] = []
        first_line: dict[int, int] = {}
        for row in rows.to_pylist():
            problem = _wave_row_problem(session, row, schemes, first_line)
            if problem is not None:
                rejects.append({ROW: row[ROW], "column": problem[0], "reason": problem[1]})
                continue
            first_line.setdefault(row["wave"], row["_line"])
            if not _apply_wave_row(session, row, context):
                duplicates += 1
        return StoreOutcome(
            duplicates=duplicates, rejects=pa.Table.from_pylist(rejects, schema=REJECT_SCHEMA)
        )


def _wave_row_problem(
    session: Session, row: dict[str, Any], schemes: dict[str, Any], first_line: dict[int, int]
) -> tuple[str, str] | None:
    """Return (column, reason) when a waves row cannot be applied, else None."""
    if row["scheme"] not in schemes:
        return "scheme", f"unknown scheme (known: {', '.join(sorted(schemes))})"
    if row["closes_on"] < row["opens_on"]:
        return "closes_on", "is before opens_on"
    wave = session.get(Wave, row["wave"])
    if wave is None:
        return None
    for column in ("scheme", "opens_on", "closes_on"):
        if getattr(wave, column) != row[column]:
            if wave.selected_on is not None:
                return (
                    column,
                    f"wave {wave.wave} was selected on {wave.selected_on}; it cannot change",
                )
            if row["wave"] in first_line:
                return column, f"differs from line {first_line[row['wave']]} for the same wave"
    if wave.selected_on is not None:
        quota = session.get(WaveQuota, (row["wave"], row["province_code"]))
        if quota is None or quota.quota != row["quota"]:
            return (
                "quota",
                f"wave {wave.wave} was selected on {wave.selected_on}; its quotas cannot change",
            )
    return None


def _apply_wave_row(session: Session, row: dict[str, Any], context: ImportContext) -> bool:
    """Create or update the wave and quota of one row; return False when nothing changed."""
    now = utc_now()
    changed = False
    wave = session.get(Wave, row["wave"])
    if wave is None:
        wave = Wave(
            wave=row["wave"],
            scheme=row["scheme"],
            opens_on=row["opens_on"],
            closes_on=row["closes_on"],
            created_at=now,
            updated_at=now,
        )
        session.add(wave)
        changed = True
    elif (wave.scheme, wave.opens_on, wave.closes_on) != (
        row["scheme"],
        row["opens_on"],
        row["closes_on"],
    ):
        wave.scheme, wave.opens_on, wave.closes_on = (
            row["scheme"],
            row["opens_on"],
            row["closes_on"],
        )
        wave.updated_at = now
        changed = True
    session.flush()
    quota = session.get(WaveQuota, (row["wave"], row["province_code"]))
    if quota is None:
        session.add(
            WaveQuota(
                wave=row["wave"],
                province_code=row["province_code"],
                quota=row["quota"],
                added_places=0,
            )
        )
        changed = True
    elif quota.quota != row["quota"]:
        quota.quota = row["quota"]
        changed = True
    if changed:
        session.flush()
        record(
            session,
            action="wave.quota_set",
            subject_type="wave",
            subject_id=str(row["wave"]),
            details={
                "province_code": row["province_code"],
                "quota": row["quota"],
                "scheme": row["scheme"],
                "import_run_id": context.import_run_id,
            },
        )
    return changed


class ParticipantsLoader(Loader):
    """participants.csv: registrations, keyed by (nik, wave).

    Only a NIK or family-card number that is not 16 digits (or a wave that
    is not a number) rejects a row: every other registration gets a
    selection outcome, so a value that cannot be read is kept as empty and
    judged at selection (an unreadable birth date fails the NIK check).
    """

    kind: ClassVar[str] = "participants"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("nik", checks.digits(16)),
        Field("kk_number", checks.digits(16)),
        Field("full_name", checks.text(200), lenient=True),
        Field("birth_date", checks.date(), lenient=True),
        Field("gender", checks.one_of(("L", "P")), lenient=True),
        Field("province_code", checks.pattern(r"^[0-9]{2}$", "must be 2 digits"), lenient=True),
        Field("regency_code", checks.pattern(r"^[0-9]{4}$", "must be 4 digits"), lenient=True),
        Field(
            "phone",
            checks.pattern(r"^(08[0-9]{6,13}|\+62[0-9]{6,13})$", "must be 08... or +62..."),
            lenient=True,
        ),
        Field("email", checks.text(200), lenient=True),
        Field("education", checks.one_of(EDUCATION_LEVELS), lenient=True),
        Field("employment_status", checks.one_of(tuple(Employment)), lenient=True),
        Field("monthly_income_idr", checks.integer(minimum=0), lenient=True),
        Field("registered_at", checks.timestamp(), lenient=True),
        Field("wave", checks.integer(minimum=1)),
    )
    key: ClassVar[tuple[str, ...]] = ("nik", "wave")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(Registration),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Insert new registrations; a wave already selected takes no more."""
        selected = {
            wave: day
            for wave, day in session.execute(select(Wave.wave, Wave.selected_on))
            if day is not None
        }
        rejects = REJECT_SCHEMA.empty_table()
        duplicates = 0
        warnings = registration_warnings(session, rows)
        if selected:
            closed = pc.is_in(rows["wave"], value_set=pa.array(list(selected), pa.int64()))
            late = rows.filter(closed)
            known = _known_registrations(session, late)
            rejects = _closed_wave_rejects(late.filter(pc.invert(known)), selected)
            duplicates = int(pc.sum(known).as_py() or 0)
            rows = rows.filter(pc.invert(closed))
        columns = [spec.name for spec in self.fields]
        # An empty name is a name all the same: the registration gets its outcome.
        rows = rows.set_column(
            rows.schema.get_field_index("full_name"),
            "full_name",
            pc.fill_null(rows["full_name"], ""),
        )
        table = rows.select(columns).sort_by([("wave", "ascending"), ("nik", "ascending")])
        table = table.append_column(
            "import_run_id", pa.array([context.import_run_id] * table.num_rows, pa.int64())
        )
        context.reporter.start("storing registrations", table.num_rows)
        inserted = insert_new_rows(
            session,
            table_of(Registration),
            table,
            key=("wave", "nik"),
            progress=context.reporter.advance,
        )
        return StoreOutcome(
            duplicates=duplicates + table.num_rows - inserted, rejects=rejects, warnings=warnings
        )


_KEY_SCHEMA = pa.schema([("nik", pa.string()), ("wave", pa.int64())])


def _known_registrations(session: Session, rows: pa.Table) -> pa.Array:
    """Return a mask of the rows whose (nik, wave) is already registered."""
    if rows.num_rows == 0:
        return pa.array([], pa.bool_())
    waves = sorted(set(rows["wave"].to_pylist()))
    query = select(Registration.nik, Registration.wave).where(Registration.wave.in_(waves))
    stored = fetch_arrow_matching(session, query, Registration.nik, rows["nik"], _KEY_SCHEMA)
    stored_keys = pc.binary_join_element_wise(
        stored["nik"], pc.cast(stored["wave"], pa.string()), ":"
    )
    keys = pc.binary_join_element_wise(rows["nik"], pc.cast(rows["wave"], pa.string()), ":")
    return pc.is_in(keys, value_set=stored_keys)


def _closed_wave_rejects(rows: pa.Table, selected: dict[int, dt.date]) -> pa.Table:
    reasons = [
        f"wave {wave} was already selected on {selected[wave]}; registrations are closed"
        for wave in rows["wave"].to_pylist()
    ]
    return pa.table(
        {
            ROW: rows[ROW],
            "column": pa.array(["wave"] * rows.num_rows, pa.string()),
            "reason": pa.array(reasons, pa.string()),
        },
        schema=REJECT_SCHEMA,
    )


class ExclusionsLoader(Loader):
    """exclusions.csv: people on barring lists from the first day of a month."""

    kind: ClassVar[str] = "exclusions"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("nik", checks.digits(16)),
        Field("list_code", checks.one_of(tuple(ListCode))),
        Field("period", checks.year_month()),
        Field("source", checks.text(200), required=False),
    )
    key: ClassVar[tuple[str, ...]] = ("nik", "list_code", "period")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(Exclusion),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Insert new list entries; the same (nik, list, period) twice is a duplicate."""
        effective = rows["period"]
        periods = pc.strftime(pc.cast(effective, pa.timestamp("s")), format="%Y-%m")
        table = pa.table(
            {
                "nik": rows["nik"],
                "list_code": rows["list_code"],
                "period": periods,
                "effective_from": effective,
                "source": rows["source"],
                "import_run_id": pa.array([context.import_run_id] * rows.num_rows, pa.int64()),
            }
        )
        inserted = insert_new_rows(
            session,
            table_of(Exclusion),
            table,
            key=("nik", "list_code", "period"),
        )
        return StoreOutcome(duplicates=rows.num_rows - inserted)
