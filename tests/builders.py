"""Small literal contract documents for tests: valid rows by default, faults on request."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from prakerja.kit.nik import encoded_date_digits

PARTICIPANT_COLUMNS = (
    "nik",
    "kk_number",
    "full_name",
    "birth_date",
    "gender",
    "province_code",
    "regency_code",
    "phone",
    "email",
    "education",
    "employment_status",
    "monthly_income_idr",
    "registered_at",
    "wave",
)
WAVE_COLUMNS = ("wave", "scheme", "opens_on", "closes_on", "province_code", "quota")
EXCLUSION_COLUMNS = ("nik", "list_code", "period", "source")

_serial = itertools.count(1)


def make_nik(
    birth_date: dt.date, gender: str, regency: str = "3171", serial: int | None = None
) -> str:
    """A valid NIK for a person born on `birth_date` of sex `gender` in `regency`."""
    number = next(_serial) if serial is None else serial
    return f"{regency}01{encoded_date_digits(birth_date, gender)}{number % 10_000:04d}"


def participant(
    *,
    birth_date: dt.date = dt.date(1990, 8, 7),
    gender: str = "P",
    regency: str = "3171",
    wave: int = 1,
    kk_number: str | None = None,
    registered_at: str = "2020-04-12T09:15:00+07:00",
    employment_status: str = "UNEMPLOYED",
    monthly_income_idr: str = "0",
    **overrides: str,
) -> dict[str, str]:
    """A valid registration; keyword overrides replace any column as text."""
    nik = make_nik(birth_date, gender, regency)
    row = {
        "nik": nik,
        "kk_number": kk_number or f"{regency}01{next(_serial):010d}",
        "full_name": "Siti Aminah" if gender == "P" else "Budi Santoso",
        "birth_date": birth_date.isoformat(),
        "gender": gender,
        "province_code": regency[:2],
        "regency_code": regency,
        "phone": "081234567801",
        "email": "peserta@example.id",
        "education": "SMA",
        "employment_status": employment_status,
        "monthly_income_idr": monthly_income_idr,
        "registered_at": registered_at,
        "wave": str(wave),
    }
    row.update(overrides)
    return row


def wave_row(
    wave: int = 1,
    *,
    scheme: str = "PANDEMIC_2020",
    province: str = "*",
    quota: int = 10,
    opens_on: str = "2020-04-11",
    closes_on: str = "2020-04-16",
) -> dict[str, str]:
    """One waves.csv row."""
    return {
        "wave": str(wave),
        "scheme": scheme,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "province_code": province,
        "quota": str(quota),
    }


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, object]]) -> Path:
    """Write a contract CSV file."""
    columns = list(columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def write_jsonl(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    """Write a JSON Lines contract file."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file the product wrote."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def summary(stdout: str) -> dict[str, int]:
    """Parse the import summary line `loaded=N duplicates=N rejected=N pending=N`."""
    line = [text for text in stdout.splitlines() if text.startswith("loaded=")][-1]
    return {key: int(value) for key, value in (part.split("=") for part in line.split())}


COURSE_COLUMNS = (
    "course_code",
    "title",
    "provider_code",
    "provider_name",
    "categories",
    "price_idr",
    "hours",
    "course_type",
    "sessions",
    "platforms",
)
EVENT_COLUMNS = (
    "platform_code",
    "event_id",
    "event_type",
    "occurred_at",
    "card_number",
    "course_code",
    "voucher_code",
    "amount_idr",
    "sequence",
    "certificate_no",
    "rating",
    "review_text",
)
INVOICE_COLUMNS = ("platform_code", "invoice_no", "voucher_code", "amount_idr", "invoiced_on")


def course(code: str = "C-0001", **overrides: str) -> dict[str, str]:
    """One courses.csv row: a three-session webinar by LP-001 sold on TOKOPEDIA and PINTARIA."""
    row = {
        "course_code": code,
        "title": "Strategi Pemasaran Digital untuk UMKM",
        "provider_code": "LP-001",
        "provider_name": "Lembaga Pelatihan Nusantara",
        "categories": "SALES_MARKETING",
        "price_idr": "750000",
        "hours": "12",
        "course_type": "WEBINAR",
        "sessions": "3",
        "platforms": "TOKOPEDIA;PINTARIA",
    }
    row.update(overrides)
    return row


_event_serial = itertools.count(1)


def event(
    event_type: str,
    card_number: str,
    voucher_code: str,
    *,
    at: str = "2020-04-21T10:00:00+07:00",
    platform_code: str = "TOKOPEDIA",
    course_code: str = "C-0001",
    **overrides: str,
) -> dict[str, str]:
    """One platform-events.csv row; PURCHASE and REFUND default to 750,000, REVIEW to 5 stars."""
    row = {
        "platform_code": platform_code,
        "event_id": f"EV-{next(_event_serial)}",
        "event_type": event_type,
        "occurred_at": at,
        "card_number": card_number,
        "course_code": course_code,
        "voucher_code": voucher_code,
        "amount_idr": "750000" if event_type in ("PURCHASE", "REFUND") else "",
        "sequence": "",
        "certificate_no": "CERT-1" if event_type == "COMPLETION" else "",
        "rating": "5" if event_type == "REVIEW" else "",
        "review_text": "Bagus" if event_type == "REVIEW" else "",
    }
    row.update(overrides)
    return row


def invoice(voucher_code: str, **overrides: str) -> dict[str, str]:
    """One platform-invoices.csv row for a 750,000 voucher on TOKOPEDIA."""
    row = {
        "platform_code": "TOKOPEDIA",
        "invoice_no": "INV-TKP-2020-04-W4",
        "voucher_code": voucher_code,
        "amount_idr": "750000",
        "invoiced_on": "2020-04-30",
    }
    row.update(overrides)
    return row


def another_process_opens_and_closes(database: Path) -> None:
    """Open and close a SQLite database from another process (it may take itself for the last)."""
    code = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1'); c.close()"
    subprocess.run([sys.executable, "-c", code, str(database)], check=True)
