"""A PARTNER's own pages (uploads with rejects, instruction files) and disputes on a break's page.

A partner sees its own records and never another partner's.
"""

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import Role
from prakerja.ingest.rejects import rejects_path
from prakerja.kit.clock import utc_now
from prakerja.partners.models import PartnerUpload
from prakerja.partners.service import dispute_break
from prakerja.server import create_service
from tests.reconciliation.factories import World
from tests.web.staff_helpers import accounts_of_every_role, one_open_break

DAY = dt.date(2020, 5, 4)


def _upload(session, tmp_path, partner, name, rejects):
    stored = tmp_path / partner / name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text("x\n")
    lines = "".join(f"{line},{column},{reason}\n" for line, column, reason in rejects)
    rejects_path(stored).write_text("line,column,reason\n" + lines)
    session.add(
        PartnerUpload(
            partner_code=partner,
            kind="payout-results",
            file_name=name,
            stored_path=str(stored),
            size_bytes=2,
            received_at=utc_now(),
            import_run_id=None,
            loaded=3,
            duplicates=0,
            rejected=len(rejects),
            pending=0,
        )
    )
    session.commit()


@pytest.fixture
def clients(engine, session):
    made = accounts_of_every_role(session)
    app = create_service(engine)
    signed = {}
    for role in (Role.PARTNER, Role.OPERATOR, Role.AUDITOR):
        client = TestClient(app, follow_redirects=False)
        client.post("/login", data=dict(zip(("username", "password"), made[role], strict=True)))
        signed[role] = client
    return signed


def test_a_partner_sees_its_own_uploads_with_their_rejects_only(clients, session, tmp_path):
    _upload(session, tmp_path, "BANKX", "ours.csv", [(2, "amount_idr", "not a whole number")])
    _upload(session, tmp_path, "OTHERBANK", "theirs.csv", [(5, "status", "secret reject")])
    page = clients[Role.PARTNER].get("/partner/uploads?lang=en")
    assert page.status_code == 200
    assert "ours.csv" in page.text and "not a whole number" in page.text
    assert "theirs.csv" not in page.text and "secret reject" not in page.text
    assert clients[Role.OPERATOR].get("/partner/uploads").status_code == 403


def test_a_partner_downloads_its_own_instruction_files_by_day(clients, session):
    world = World(session)
    ours = world.batch(partner="BANKX", day=DAY)
    world.instruction(world.card(), batch=ours, day=DAY, amount=600_000)
    theirs = world.batch(partner="OVO", day=DAY + dt.timedelta(days=1))
    world.instruction(world.card(), batch=theirs, day=DAY + dt.timedelta(days=1))
    session.commit()
    partner = clients[Role.PARTNER]
    listed = partner.get("/partner/instructions")
    assert "/partner/instructions/2020-05-04.csv" in listed.text
    assert "2020-05-05" not in listed.text
    csv = partner.get("/partner/instructions/2020-05-04.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="instructions-BANKX-2020-05-04.csv"' in csv.headers["content-disposition"]
    header, *rows = csv.text.strip().splitlines()
    assert header.startswith("instruction_id,") and len(rows) == 1 and "600000" in rows[0]
    assert partner.get("/partner/instructions/2020-05-05.csv").status_code == 404
    assert partner.get("/partner/instructions/yesterday.csv").status_code == 404
    assert clients[Role.AUDITOR].get("/partner/instructions").status_code == 403


def test_a_disputed_break_shows_the_partners_reason_and_day_on_the_staff_page(clients, session):
    one_open_break(session)
    dispute_break(
        session, partner_code="BANKX", break_id="BRK-0001", reason="Sudah dibayar", day=DAY
    )
    session.commit()
    page = clients[Role.AUDITOR].get("/breaks/BRK-0001?lang=en")
    assert "Disputed by the partner on 2020-05-04" in page.text
    assert "Sudah dibayar" in page.text
