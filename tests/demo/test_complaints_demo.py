"""The demo's complaints: one grievance about a credited payment, one break disputed, counted."""

from rich.console import Console

from prakerja.demo.complaints import plant_complaints, show_complaints
from prakerja.participants import service as participants
from prakerja.partners import service as partners
from prakerja.reconciliation.service import reconcile
from tests.reconciliation.factories import World
from tests.recovery.test_claims import PAID, ineligible


def test_the_demo_files_a_grievance_disputes_a_break_and_counts_both(engine, session):
    world = World(session)
    card, _ = ineligible(world, partner="OVO")
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    planted = plant_complaints(engine, PAID)
    assert planted.grievance_id is not None and planted.disputed_break_id is not None
    session.expire_all()
    [grievance] = participants.grievances_as_of(session, day=PAID)
    assert (grievance["card_number"], grievance["category"], grievance["status"]) == (
        card,
        "NOT_RECEIVED",
        "OPEN",
    )
    [seen] = participants.partner_grievances(session, partner_code="OVO")
    assert seen["grievance_id"] == planted.grievance_id
    _, breaks = partners.partner_breaks(session, partner_code="OVO", day=PAID, status="ALL")
    [disputed] = [b for b in breaks if b["break_id"] == planted.disputed_break_id]
    assert disputed["status"] == "OPEN" and disputed["disputed_on"] == PAID
    console = Console(record=True, width=300)
    assert show_complaints(console, engine, PAID) == (1, 1)
    text = console.export_text()
    assert "1 grievance open" in text and "1 break disputed by its partner" in text


def test_the_demo_plants_nothing_when_nothing_was_paid_or_broken(engine):
    planted = plant_complaints(engine, PAID)
    assert (planted.grievance_id, planted.disputed_break_id) == (None, None)
