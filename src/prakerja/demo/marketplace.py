"""The demo's training marketplace: a catalog, platform traffic, provider commits, invoices.

`write_catalog` writes courses.csv; a `Marketplace` then simulates, for any
range of business days, what platforms and providers send about the active
cards: purchases, attendance, completions, reviews, some refunds, some
events delivered out of order (a completion a file before its purchase),
a few bad rows, the providers' redeem-code commits, and the platforms'
invoices (mostly payable, some not). Each card's plan comes from a generator
seeded by its holder's NIK (card numbers are drawn at random, NIKs are not),
so the same seed plays the same program, and calls for consecutive day
ranges add up to the same program as one call for the whole range.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from prakerja.catalog.codes import Category
from prakerja.catalog.loaders import CoursesLoader
from prakerja.demo.synth import write_csv
from prakerja.ingest.pipeline import ImportSummary, import_files
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import PrakerjaError
from prakerja.registry.service import active_cards
from prakerja.storage.db import unit_of_work
from prakerja.transactions import service as transactions
from prakerja.transactions.loaders import PlatformEventsLoader, PlatformInvoicesLoader

PLATFORMS = ("TOKOPEDIA", "BUKALAPAK", "SKILLACADEMY", "PINTARIA", "SEKOLAHMU", "PIJARMAHIR")
COURSE_COLUMNS = (
    "course_code", "title", "provider_code", "provider_name", "categories",
    "price_idr", "hours", "course_type", "sessions", "platforms",
)  # fmt: skip
EVENT_COLUMNS = (
    "platform_code", "event_id", "event_type", "occurred_at", "card_number", "course_code",
    "voucher_code", "amount_idr", "sequence", "certificate_no", "rating", "review_text",
)  # fmt: skip
INVOICE_COLUMNS = ("platform_code", "invoice_no", "voucher_code", "amount_idr", "invoiced_on")
#: How popular each category was among 2020 participants (sales and marketing first).
CATEGORY_WEIGHTS = {
    Category.SALES_MARKETING: 30,
    Category.IT: 14,
    Category.FINANCE: 11,
    Category.FOREIGN_LANGUAGE: 10,
    Category.LIFESTYLE: 9,
    Category.MANAGEMENT: 8,
    Category.OFFICE: 6,
    Category.SOCIAL_BEHAVIOUR: 5,
    Category.FOOD_BEVERAGE: 5,
    Category.AGRICULTURE: 3,
}
_TOPICS = {
    Category.SALES_MARKETING: ("Pemasaran Digital untuk UMKM", "Teknik Penjualan Online"),
    Category.IT: ("Dasar Pemrograman Web", "Desain Grafis dengan Canva"),
    Category.FINANCE: ("Akuntansi Usaha Kecil", "Perencanaan Keuangan Keluarga"),
    Category.FOREIGN_LANGUAGE: ("Bahasa Inggris untuk Kerja", "Bahasa Jepang Dasar"),
    Category.LIFESTYLE: ("Tata Rias Profesional", "Fotografi Produk"),
    Category.MANAGEMENT: ("Manajemen Proyek", "Kepemimpinan Tim"),
    Category.OFFICE: ("Microsoft Excel Lanjutan", "Administrasi Perkantoran"),
    Category.SOCIAL_BEHAVIOUR: ("Komunikasi Efektif", "Pelayanan Pelanggan"),
    Category.FOOD_BEVERAGE: ("Barista Pemula", "Usaha Katering Rumahan"),
    Category.AGRICULTURE: ("Hidroponik Skala Rumah", "Budidaya Lele"),
}
_PROVIDERS = (
    ("LP-001", "Lembaga Pelatihan Nusantara"),
    ("LP-002", "Akademi Keuangan Mandiri"),
    ("LP-003", "Sekolah Digital Indonesia"),
    ("LP-004", "Balai Kursus Kartika"),
)
_WIB = dt.timezone(dt.timedelta(hours=7))


@dataclass(frozen=True)
class CatalogCourse:
    """A course of the demo catalog."""

    code: str
    provider: str
    price: int
    course_type: str
    sessions: int
    platforms: tuple[str, ...]
    weight: int


@dataclass
class MarketplaceReport:
    """What the simulated marketplace sent and what the product made of it."""

    imports: dict[str, ImportSummary] = field(default_factory=dict)
    commits: int = 0

    def add(self, kind: str, summary: ImportSummary) -> None:
        """Add an import's counts under its file kind."""
        self.imports.setdefault(kind, ImportSummary()).add(summary)

    def merge(self, other: MarketplaceReport) -> None:
        """Add another report's counts to this one."""
        for kind, summary in other.imports.items():
            self.add(kind, summary)
        self.commits += other.commits


def catalog_courses(seed: int) -> list[CatalogCourse]:
    """Return the demo catalog: two courses per category, and four bundles."""
    rng = random.Random(seed)
    courses = []
    kinds = (("WEBINAR", 3), ("SELF_PACED", 1), ("OFFLINE", 2), ("WEBINAR", 4))
    for number, (category, weight) in enumerate(CATEGORY_WEIGHTS.items()):
        for variant in range(2):
            kind, sessions = kinds[(number + variant) % len(kinds)]
            courses.append(
                CatalogCourse(
                    code=f"C-{category.value[:3]}-{variant + 1}",
                    provider=_PROVIDERS[(number + variant) % len(_PROVIDERS)][0],
                    price=rng.choice((250_000, 350_000, 500_000, 650_000, 750_000)),
                    course_type=kind,
                    sessions=sessions,
                    platforms=tuple(rng.sample(PLATFORMS, k=rng.randint(1, 3))),
                    weight=weight,
                )
            )
    bundles = (
        (Category.SALES_MARKETING, Category.FOOD_BEVERAGE),
        (Category.IT, Category.OFFICE),
        (Category.FINANCE, Category.MANAGEMENT),
        (Category.FOREIGN_LANGUAGE, Category.LIFESTYLE),
    )
    for number, _pair in enumerate(bundles):
        courses.append(
            CatalogCourse(
                code=f"C-BDL-{number + 1}",
                provider=_PROVIDERS[number][0],
                price=900_000,
                course_type="WEBINAR",
                sessions=2,
                platforms=(PLATFORMS[number],),
                weight=2,
            )
        )
    return courses


def _bundle_categories(code: str) -> str:
    pairs = (
        "SALES_MARKETING;FOOD_BEVERAGE",
        "IT;OFFICE",
        "FINANCE;MANAGEMENT",
        "FOREIGN_LANGUAGE;LIFESTYLE",
    )
    return pairs[int(code.rsplit("-", 1)[1]) - 1]


def write_catalog(folder: Path, seed: int) -> Path:
    """Write courses.csv for the demo catalog; return its path."""
    by_prefix = {category.value[:3]: category for category in Category}
    names = dict(_PROVIDERS)
    rows = []
    for course in catalog_courses(seed):
        prefix, variant = course.code.split("-")[1], int(course.code.rsplit("-", 1)[1])
        if prefix == "BDL":
            categories, title = _bundle_categories(course.code), f"Paket Usaha {variant}"
        else:
            category = by_prefix[prefix]
            categories, title = category.value, _TOPICS[category][variant - 1]
        rows.append(
            {
                "course_code": course.code,
                "title": title,
                "provider_code": course.provider,
                "provider_name": names[course.provider],
                "categories": categories,
                "price_idr": str(course.price),
                "hours": str(4 * course.sessions),
                "course_type": course.course_type,
                "sessions": str(course.sessions),
                "platforms": ";".join(course.platforms),
            }
        )
    path = folder / "courses.csv"
    write_csv(path, COURSE_COLUMNS, rows)
    return path


@dataclass(frozen=True)
class Purchase:
    """One purchase a card makes, with its events (each on its business day)."""

    voucher: str
    card: str
    course: CatalogCourse
    platform: str
    events: list[tuple[dt.date, dict[str, str]]]
    refunded: bool
    redeemed: bool


class Marketplace:
    """Simulates platforms and providers for the active cards, one day range at a time."""

    def __init__(self, engine: Engine, folder: Path, rng: random.Random) -> None:
        self.engine = engine
        self.folder = folder
        self.seed = rng.randrange(1 << 30)
        self.courses = catalog_courses(self.seed)

    def load_catalog(self) -> ImportSummary:
        """Write the catalog the simulated platforms sell from, and import it."""
        return import_files(self.engine, CoursesLoader(), [write_catalog(self.folder, self.seed)])

    def plan(self, card: str, nik: str, issued_on: dt.date, deadline: dt.date) -> list[Purchase]:
        """Return a card's purchases and their events (none for about one card in ten)."""
        rng = random.Random(f"{self.seed}:{nik}")
        if rng.random() < 0.1:
            return []
        purchases, balance, day = [], 1_000_000, issued_on + dt.timedelta(days=rng.randint(0, 25))
        for number in range(rng.choice((1, 1, 2))):
            course = rng.choices(self.courses, weights=[c.weight for c in self.courses])[0]
            if course.price > balance or (number == 0 and day > deadline):
                break
            balance -= course.price
            purchases.append(self._purchase(rng, card, course, day, number))
            day += dt.timedelta(days=rng.randint(3, 20))
        return purchases

    def _purchase(
        self, rng: random.Random, card: str, course: CatalogCourse, day: dt.date, number: int
    ) -> Purchase:
        platform = rng.choice(course.platforms)
        voucher = f"V{rng.randrange(10**11):011d}{number}"
        base = {"platform_code": platform, "card_number": card, "course_code": course.code}
        base["voucher_code"] = voucher
        events: list[tuple[dt.date, dict[str, str]]] = []

        def add(kind: str, on: dt.date, hour: int, **values: str) -> None:
            at = dt.datetime.combine(on, dt.time(hour, rng.randrange(60)), tzinfo=_WIB)
            row = dict.fromkeys(EVENT_COLUMNS, "") | base
            row |= {"event_id": f"{platform[:3]}-{voucher}-{len(events)}", "event_type": kind}
            events.append((on, row | {"occurred_at": at.isoformat()} | values))

        add("PURCHASE", day, 10, amount_idr=str(course.price))
        refunded = rng.random() < 0.04
        if refunded:
            add("REFUND", day + dt.timedelta(days=1), 9, amount_idr=str(course.price))
            return Purchase(voucher, card, course, platform, events, True, False)
        on = day
        if course.course_type == "WEBINAR":
            for sequence in range(1, course.sessions + 1):
                on += dt.timedelta(days=1)
                add("ATTENDANCE", on, 19, sequence=str(sequence))
        on += dt.timedelta(days=rng.randint(0, 3))
        add("COMPLETION", on, 21, certificate_no=f"CERT-{voucher}")
        if rng.random() < 0.97:  # a few participants never rate their training
            add("REVIEW", on + dt.timedelta(days=1), 8, rating=str(rng.choice((3, 4, 4, 5, 5, 5))))
        if rng.random() < 0.05:
            # The platform delivers the purchase late, with the completion: what came
            # before it waits (pending) and applies when it arrives.
            events[0] = (events[-2][0], events[0][1])
        return Purchase(voucher, card, course, platform, events, False, rng.random() < 0.95)

    def simulate(
        self, first_day: dt.date, last_day: dt.date, niks: Mapping[str, str]
    ) -> MarketplaceReport:
        """Send the days' event files, providers' commits and invoices through the product.

        `niks` maps each card to its holder's NIK.
        """
        report = MarketplaceReport()
        with unit_of_work(self.engine) as session:
            cards = active_cards(session).to_pylist()
        purchases = [
            purchase
            for card in cards
            for purchase in self.plan(
                card["card_number"],
                niks[card["card_number"]],
                card["issued_on"],
                card["purchase_deadline"],
            )
        ]
        day = first_day
        while day <= last_day:
            self._day(day, purchases, report)
            day += dt.timedelta(days=1)
        self._invoice(first_day, last_day, purchases, report)
        return report

    def write_day(
        self, day: dt.date, purchases: list[Purchase], *, part: str = ""
    ) -> tuple[Path, list[dict[str, str]]] | None:
        """Write the platforms' events file of `day` (now and then with a bad row), if any."""
        rows = [row for p in purchases for on, row in p.events if on == day]
        if not rows:
            return None
        rng = random.Random(f"{self.seed}:{day}{part}")
        if rng.random() < 0.5:
            bad = dict(rows[0], event_id=f"BAD-{day}{part}", card_number="52100000")
            rows.append(bad)
        path = self.folder / f"platform-events-{day}{part}.csv"
        write_csv(path, EVENT_COLUMNS, rows)
        return path, rows

    def _day(self, day: dt.date, purchases: list[Purchase], report: MarketplaceReport) -> None:
        written = self.write_day(day, purchases)
        if written is None:
            return
        path, rows = written
        report.add("platform-events", import_files(self.engine, PlatformEventsLoader(), [path]))
        bought = {row["voucher_code"] for row in rows if row["event_type"] == "PURCHASE"}
        # A provider commits over the API in real time: its clock is the wall clock's.
        now = utc_now()
        for purchase in purchases:
            if purchase.voucher in bought and purchase.redeemed:
                report.commits += self._commit(purchase, now)

    def _commit(self, purchase: Purchase, now: dt.datetime) -> int:
        """Let the course's provider commit every session of the code, as it would over the API."""
        done = 0
        try:
            with unit_of_work(self.engine) as session:
                for sequence in range(1, purchase.course.sessions + 1):
                    transactions.commit_redeem_code(
                        session,
                        provider_code=purchase.course.provider,
                        redeem_code=purchase.voucher,
                        sequence=sequence,
                        now=now,
                    )
                    done += 1
        except PrakerjaError:
            return 0  # the purchase was refused: the provider's commit is refused too
        return done

    def _invoice(
        self,
        first_day: dt.date,
        last_day: dt.date,
        purchases: list[Purchase],
        report: MarketplaceReport,
    ) -> None:
        """Each platform invoices its vouchers bought in the range (a few lines not payable)."""
        rows = []
        rng = random.Random(f"{self.seed}:invoices:{first_day}")
        for purchase in purchases:
            bought_on = purchase.events[0][0]
            if not first_day <= bought_on <= last_day or rng.random() < 0.03:
                continue
            amount = purchase.course.price + (50_000 if rng.random() < 0.02 else 0)
            rows.append(
                {
                    "platform_code": purchase.platform,
                    "invoice_no": f"INV-{purchase.platform[:3]}-{last_day:%Y%m%d}",
                    "voucher_code": purchase.voucher,
                    "amount_idr": str(amount),
                    "invoiced_on": last_day.isoformat(),
                }
            )
        if not rows:
            return
        path = self.folder / f"platform-invoices-{last_day}.csv"
        write_csv(path, INVOICE_COLUMNS, rows)
        report.add("platform-invoices", import_files(self.engine, PlatformInvoicesLoader(), [path]))
