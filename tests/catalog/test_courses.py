"""Importing the catalog: courses, providers, bundles, platforms; refusals and updates."""

from pathlib import Path

from sqlalchemy import select

from prakerja.catalog.models import Course, CourseCategory, CoursePlatform, Provider
from tests.builders import COURSE_COLUMNS, course, read_csv, summary, write_csv

SAMPLES = Path(__file__).parent.parent / "fixtures" / "contract"


def test_contract_sample_loads_with_bundles(cli, tmp_path, session):
    copy = tmp_path / "courses.csv"
    copy.write_bytes((SAMPLES / "courses.csv").read_bytes())
    result = cli("import", "courses", copy)
    assert summary(result.stdout) == {"loaded": 3, "duplicates": 0, "rejected": 0, "pending": 0}
    bundle = session.get(Course, "C-0003")
    assert bundle.is_bundle and bundle.course_type == "OFFLINE" and bundle.sessions == 2
    categories = session.scalars(
        select(CourseCategory.category).where(CourseCategory.course_code == "C-0003")
    )
    assert set(categories) == {"FOOD_BEVERAGE", "SALES_MARKETING"}
    platforms = session.scalars(
        select(CoursePlatform.platform_code).where(CoursePlatform.course_code == "C-0001")
    )
    assert set(platforms) == {"TOKOPEDIA", "PINTARIA"}
    assert session.get(Provider, "LP-001").provider_name == "Lembaga Pelatihan Nusantara"
    assert summary(cli("import", "courses", copy).stdout)["duplicates"] == 3


def test_bad_rows_are_rejected_with_their_column(cli, tmp_path):
    rows = [
        course("C-1"),
        course("C-2", categories="SALES_MARKETING;COOKING"),
        course("C-3", course_type="PODCAST"),
        course("C-4", course_type="SELF_PACED", sessions="3"),
        course("C-5", price_idr="0"),
        course("C-6", platforms="tokopedia"),
        course("C-7", sessions="0"),
        course("C-1", title="Judul lain"),
    ]
    path = write_csv(tmp_path / "courses.csv", COURSE_COLUMNS, rows)
    result = cli("import", "courses", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 1, "rejected": 6, "pending": 0}
    columns = [r["column"] for r in read_csv(tmp_path / "courses.csv.rejects.csv")]
    assert columns == [
        "categories",
        "course_type",
        "sessions",
        "price_idr",
        "platforms",
        "sessions",
    ]


def test_a_changed_course_is_updated(cli, tmp_path, session):
    first = write_csv(tmp_path / "a.csv", COURSE_COLUMNS, [course("C-1", categories="IT")])
    cli("import", "courses", first)
    changed = course("C-1", categories="IT; FINANCE", platforms="SEKOLAHMU", price_idr="600000")
    second = write_csv(tmp_path / "b.csv", COURSE_COLUMNS, [changed])
    assert summary(cli("import", "courses", second).stdout)["loaded"] == 1
    session.expire_all()
    updated = session.get(Course, "C-1")
    assert updated.is_bundle and updated.price_idr == 600_000
    platforms = session.scalars(
        select(CoursePlatform.platform_code).where(CoursePlatform.course_code == "C-1")
    )
    assert list(platforms) == ["SEKOLAHMU"]
