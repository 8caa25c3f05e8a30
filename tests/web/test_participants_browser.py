"""A participant signs in on /saya with the code from the notification file, at phone width."""

import json
import time

import pytest

from tests.participants.factories import PAID_NIK, PAID_ON, pay
from tests.payouts.factories import make_training
from tests.recovery.planting import claimed

PHONE = {"width": 390, "height": 844}


def _latest_code(path, *, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(encoding="utf-8").strip():
            message = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
            return next(
                word
                for word in message["text"].replace(".", " ").split()
                if word.isdigit() and len(word) == 6
            )
        time.sleep(0.05)
    pytest.fail("no code was written to the notification file")


def _fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_participant_signs_in_with_the_code_and_reads_their_story_on_a_phone(
    live_server, browser, screenshot, session, cli, tmp_path, outbox
):
    paid = pay(session, cli, tmp_path)
    make_training(
        session, paid["card"], purchased_on=PAID_ON, completed_on=PAID_ON, reviewed_on=None
    )
    session.commit()
    page = browser.new_page(viewport=PHONE, locale="id-ID")
    try:
        page.goto(f"{live_server}/saya")
        assert page.locator("h1").inner_text() == "Halaman Prakerja saya"
        assert _fits_the_width(page)
        screenshot(page, "saya-1-nik")
        page.fill("#nik", PAID_NIK)
        page.click("button[type=submit]")
        page.wait_for_selector("#code")
        assert "Jika NIK ini terdaftar, kode telah dikirim" in page.inner_text("main")
        screenshot(page, "saya-2-code")
        page.fill("#code", _latest_code(outbox))
        page.click("button[type=submit]")
        page.wait_for_selector("section.next")
        page.set_viewport_size(PHONE)
        text = page.inner_text("main")
        assert "Halo, Peserta" in text
        assert "Beri ulasan untuk pelatihan" in text
        assert "Lolos: Anda menerima Kartu Prakerja." in text
        assert "Dibayar pada 22 April 2020" in text
        assert paid["card"] not in text and PAID_NIK not in text
        assert _fits_the_width(page)
        screenshot(page, "saya-3-story")
        page.select_option("#category", "NOT_RECEIVED")
        page.select_option("#instruction_id", paid["mine"])
        page.fill("#text", "Insentif belum masuk ke rekening saya.")
        page.click("#pengaduan button[type=submit]")
        page.wait_for_selector("#pengaduan .ok")
        assert "menunggu jawaban" in page.inner_text("#pengaduan")
        screenshot(page, "saya-4-grievance")
        page.click("section.hello button")
        page.wait_for_selector("#nik")
        page.goto(f"{live_server}/saya?lang=en")
        assert page.locator("h1").inner_text() == "My Prakerja page"
    finally:
        page.close()


def test_a_participant_who_owes_a_repayment_reads_how_to_repay_on_a_phone(
    live_server, browser, screenshot, session, outbox
):
    claim = claimed(session)
    page = browser.new_page(viewport=PHONE, locale="id-ID")
    refused = []  # what the Content-Security-Policy blocked (an inline style or script)
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    try:
        page.goto(f"{live_server}/saya")
        page.fill("#nik", claim.nik)
        page.click("button[type=submit]")
        page.wait_for_selector("#code")
        page.fill("#code", _latest_code(outbox))
        page.click("button[type=submit]")
        page.wait_for_selector("#tagihan")
        steps = page.inner_text("section.next")
        assert "Kembalikan Rp 600.000 paling lambat 4 Juli 2020" in steps
        owed = page.inner_text("#tagihan")
        assert "Lewat jatuh tempo, belum dikembalikan" in owed
        assert claim.claim_id in owed and "Transfer ke" in owed
        assert page.locator("#tagihan .repay").is_visible()
        assert _fits_the_width(page)
        screenshot(page, "saya-5-claim")
        assert refused == []
    finally:
        page.close()
