"""A small program for marketplace tests: a catalog and cards issued on 2020-04-17."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.builders import (
    COURSE_COLUMNS,
    EVENT_COLUMNS,
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    course,
    participant,
    read_csv,
    summary,
    wave_row,
    write_csv,
)

ISSUED_ON = "2020-04-17"


@dataclass
class Program:
    """Cards (balance 1,000,000; deadline 2020-05-17) and a way to import events."""

    cli: object
    folder: Path
    cards: list[str]
    files: int = 0

    def events(self, rows: list[dict[str, str]]) -> dict[str, int]:
        """Import rows as a new platform-events file; return the summary counts."""
        self.files += 1
        path = write_csv(self.folder / f"events-{self.files}.csv", EVENT_COLUMNS, rows)
        result = self.cli("import", "platform-events", path)
        assert result.exit_code == 0, result.stderr
        return summary(result.stdout)

    def rejects(self, number: int | None = None) -> list[dict[str, str]]:
        """Return the rejects of events file `number` (default: the last one)."""
        return read_csv(self.folder / f"events-{number or self.files}.csv.rejects.csv")


CATALOG = [
    course("C-0001"),
    course(
        "C-0002",
        title="Dasar Akuntansi",
        provider_code="LP-002",
        provider_name="Akademi Keuangan Mandiri",
        categories="FINANCE",
        price_idr="500000",
        course_type="SELF_PACED",
        sessions="1",
        platforms="BUKALAPAK;TOKOPEDIA",
    ),
    course(
        "C-0003",
        categories="FOOD_BEVERAGE;SALES_MARKETING",
        price_idr="300000",
        course_type="OFFLINE",
        sessions="2",
        platforms="TOKOPEDIA",
    ),
]


@pytest.fixture
def program(cli, tmp_path) -> Program:
    write_csv(tmp_path / "waves.csv", WAVE_COLUMNS, [wave_row(1, quota=10)])
    assert cli("import", "waves", tmp_path / "waves.csv").exit_code == 0
    people = write_csv(
        tmp_path / "people.csv", PARTICIPANT_COLUMNS, [participant() for _ in range(4)]
    )
    assert cli("import", "participants", people).exit_code == 0
    assert cli("waves", "select", "1", "--date", ISSUED_ON).exit_code == 0
    assert cli("export", "cards", "--wave", "1", "--out", tmp_path / "cards.csv").exit_code == 0
    cards = [row["card_number"] for row in read_csv(tmp_path / "cards.csv")]
    assert len(cards) == 4
    write_csv(tmp_path / "courses.csv", COURSE_COLUMNS, CATALOG)
    assert cli("import", "courses", tmp_path / "courses.csv").exit_code == 0
    return Program(cli, tmp_path, cards)
