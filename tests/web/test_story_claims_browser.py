"""The staff story page shows a participant's recovery claim, in headless Chromium."""

from prakerja.accounts.permissions import Role
from tests.recovery.planting import claimed
from tests.web.staff_helpers import (
    DAY,
    accounts_of_every_role,
    click_through,
    one_open_break,
    sign_in,
)


def test_an_operator_reads_a_participants_overdue_claim(live_server, browser, session, screenshot):
    made = accounts_of_every_role(session)
    one_open_break(session)
    claim = claimed(session, reconciled_on=DAY)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    try:
        sign_in(page, live_server, *made[Role.OPERATOR])
        page.goto(f"{live_server}/participants")
        page.fill("input[name=query]", claim.card_number)
        click_through(page, "form[action='/participants'] button[type=submit]")
        page.wait_for_selector("#claims")
        row = page.locator("#claims tbody tr").first.inner_text()
        assert claim.claim_id in row and "lewat jatuh tempo" in row and "Rp 600.000" in row
        assert "Mengembalikan pembayaran yang bukan haknya" in page.inner_text("main")
        screenshot(page, "staff-story-claim")
    finally:
        page.close()
