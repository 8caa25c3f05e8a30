"""Generate realistic synthetic contract files: waves, registrations, barring lists.

Everything is drawn from one seeded random generator, so the same seed
writes the same files. Most applicants are honest and valid; a realistic
share carries the faults the program met in practice: a NIK whose date or
sex disagrees with the form, a region code that does not exist, minors,
people on barring lists, families applying three and four at a time,
NIKs of the wrong length, and duplicate submissions.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prakerja.demo.names import FAMILY, MEN, WOMEN
from prakerja.kit import files
from prakerja.kit.nik import encoded_date_digits, region_codes

#: Province codes with a weight close to their share of the 2020 applicants.
PROVINCE_WEIGHTS = {
    "32": 20,
    "35": 16,
    "33": 13,
    "31": 8,
    "36": 6,
    "12": 5,
    "73": 3,
    "16": 3,
    "13": 2,
    "18": 3,
    "34": 2,
    "51": 2,
    "61": 2,
    "64": 2,
    "71": 1,
    "11": 2,
}
EMPLOYMENT_WEIGHTS = {
    "LAID_OFF": 18,
    "FURLOUGHED": 14,
    "UNEMPLOYED": 30,
    "INFORMAL": 18,
    "EMPLOYED": 12,
    "MICRO_BUSINESS": 8,
}
EDUCATION_WEIGHTS = {"SD": 6, "SMP": 12, "SMA": 48, "D3": 9, "S1": 22, "S2": 2, "S3": 1}
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


@dataclass(frozen=True)
class WavePlan:
    """A wave to simulate: its number, scheme, period and national size."""

    wave: int
    scheme: str
    opens_on: dt.date
    closes_on: dt.date
    applicants: int
    places: int


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _regencies_by_province() -> dict[str, list[str]]:
    by_province: dict[str, list[str]] = {}
    for code in sorted(region_codes()):
        by_province.setdefault(code[:2], []).append(code)
    return by_province


class ParticipantFactory:
    """Draws applicants one at a time, with families and realistic faults."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.regencies = _regencies_by_province()
        self.serial = 0
        self.used_niks: set[str] = set()

    def _nik(self, regency: str, birth_date: dt.date, gender: str) -> str:
        while True:
            self.serial += 1
            district = f"{self.rng.randrange(1, 40):02d}"
            born = encoded_date_digits(birth_date, gender)
            nik = f"{regency}{district}{born}{self.serial % 10_000:04d}"
            if nik not in self.used_niks:
                self.used_niks.add(nik)
                return nik

    def nik_for(self, regency: str, birth_date: str, gender: str) -> str:
        """Return a NIK not yet used for a person born on `birth_date` of `gender` in `regency`."""
        return self._nik(regency, dt.date.fromisoformat(birth_date), gender)

    def family(self, wave: int, opens_on: dt.date, size: int) -> list[dict[str, str]]:
        """Return `size` registrations sharing one family card (KK) and one address."""
        rng = self.rng
        province = _weighted(rng, PROVINCE_WEIGHTS)
        regency = rng.choice(self.regencies[province])
        kk = f"{regency}{rng.randrange(10**12):012d}"
        surname = rng.choice(FAMILY)
        home = {"province_code": province, "regency_code": regency, "kk_number": kk}
        return [self._person(wave, opens_on, home, surname) for _ in range(size)]

    def _person(
        self, wave: int, opens_on: dt.date, home: dict[str, str], surname: str
    ) -> dict[str, str]:
        rng = self.rng
        province, regency, kk = home["province_code"], home["regency_code"], home["kk_number"]
        gender = rng.choice("LP")
        given = rng.choice(MEN if gender == "L" else WOMEN)
        age_days = rng.randrange(17 * 365, 60 * 365)
        birth_date = opens_on - dt.timedelta(days=age_days)
        nik = self._nik(regency, birth_date, gender)
        employment = _weighted(rng, EMPLOYMENT_WEIGHTS)
        income = 0 if employment in ("UNEMPLOYED", "LAID_OFF") else rng.randrange(5, 80) * 100_000
        registered = dt.datetime.combine(
            opens_on, dt.time(7), tzinfo=dt.timezone(dt.timedelta(hours=7))
        )
        registered += dt.timedelta(seconds=rng.randrange(0, 5 * 24 * 3600))
        row = {
            "nik": nik,
            "kk_number": kk,
            "full_name": f"{given} {surname}",
            "birth_date": birth_date.isoformat(),
            "gender": gender,
            "province_code": province,
            "regency_code": regency,
            "phone": f"08{rng.choice('1235789')}{rng.randrange(10**9):09d}",
            "email": f"{given.lower()}.{surname.lower()}{rng.randrange(1000)}@example.id",
            "education": _weighted(rng, EDUCATION_WEIGHTS),
            "employment_status": employment,
            "monthly_income_idr": str(income),
            "registered_at": registered.isoformat(timespec="seconds"),
            "wave": str(wave),
        }
        return self._with_fault(row)

    def _with_fault(self, row: dict[str, str]) -> dict[str, str]:
        """Give about one registration in twenty-five one of the faults met in practice."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.008:
            row["gender"] = "P" if row["gender"] == "L" else "L"
        elif roll < 0.014:
            row["nik"] = "99" + row["nik"][2:]
        elif roll < 0.020:
            row["nik"] = row["nik"][:15]
        elif roll < 0.028:
            birth = dt.date.fromisoformat(row["birth_date"])
            row["birth_date"] = birth.replace(day=1 if birth.day != 1 else 2).isoformat()
        return row


def applicants(plan: WavePlan, factory: ParticipantFactory) -> Iterator[dict[str, str]]:
    """Yield a wave's registrations: mostly single applicants, some families of 2-4."""
    made = 0
    rng = factory.rng
    while made < plan.applicants:
        size = rng.choices([1, 2, 3, 4], weights=[82, 12, 4, 2])[0]
        for row in factory.family(plan.wave, plan.opens_on, min(size, plan.applicants - made)):
            made += 1
            yield row


def write_csv(
    path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, str]] | list[dict[str, str]]
) -> int:
    """Write rows as a contract CSV file (atomically); return how many were written."""
    cells = ([row.get(name, "") for name in columns] for row in rows)
    return files.write_csv(path, columns, cells, for_people=False, notice=None)


def waves_rows(plans: list[WavePlan]) -> list[dict[str, str]]:
    """Return waves.csv rows: one national quota per wave."""
    return [
        {
            "wave": str(plan.wave),
            "scheme": plan.scheme,
            "opens_on": plan.opens_on.isoformat(),
            "closes_on": plan.closes_on.isoformat(),
            "province_code": "*",
            "quota": str(plan.places),
        }
        for plan in plans
    ]


def exclusion_rows(
    rng: random.Random, registrations: list[dict[str, str]], share: float
) -> list[dict[str, str]]:
    """Put a share of applicants on barring lists (students, civil servants, ...)."""
    lists = (
        ("STUDENT", "EMIS"),
        ("CIVIL_SERVANT", "BKN"),
        ("VILLAGE_OFFICIAL", "Kemendagri"),
        ("SOE_EXECUTIVE", "Kementerian BUMN"),
    )
    rows = []
    for registration in registrations:
        if len(registration["nik"]) == 16 and rng.random() < share:
            code, source = rng.choice(lists)
            rows.append(
                {
                    "nik": registration["nik"],
                    "list_code": code,
                    "period": "2020-01",
                    "source": source,
                }
            )
    return rows
