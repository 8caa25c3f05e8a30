"""/saya: one answer for every NIK, sign-in with the code from the notification, one's own story."""

import json
import random
import re
from collections import Counter

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from prakerja.config import get_settings
from prakerja.participants.models import Grievance, SignInCode
from prakerja.web.pages import install
from tests.participants.factories import OTHER_PAID_NIK, PAID_NIK, pay, register
from tests.recovery.planting import claimed

REGISTERED = "3171014508900001"


@pytest.fixture
def client(engine):
    app = FastAPI()
    app.state.engine = engine
    install(app)
    return TestClient(app, base_url="http://testserver")


def _messages(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _ask(client, nik):
    return client.post("/saya/kode", data={"nik": nik})


def _code_of(message):
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"])
    return code


def _sign_in(client, outbox, nik):
    assert _ask(client, nik).status_code == 200
    code = _code_of(_messages(outbox)[-1])
    answer = client.post("/saya/masuk", data={"nik": nik, "code": code}, follow_redirects=False)
    assert answer.status_code == 303
    return answer


def _shape(answer, nik):
    return answer.status_code, answer.text.replace(nik, "N").replace(
        nik[:4] + "••••••••••" + nik[-2:], "M"
    )


def test_a_registered_and_an_unknown_nik_get_the_same_answer(client, session, outbox):
    register(session, REGISTERED)
    session.commit()
    known = _ask(client, REGISTERED)
    unknown = _ask(client, "3171010101900009")
    assert _shape(known, REGISTERED) == _shape(unknown, "3171010101900009")
    assert known.status_code == 200
    assert "Jika NIK ini terdaftar, kode telah dikirim" in known.text
    [message] = _messages(outbox)
    assert set(message) == {"channel", "to", "text"}
    assert (message["channel"], message["to"]) == ("sms", "+6281234567801")
    assert len(re.findall(r"\d{6,}", message["text"])) == 1
    assert all(len(h) == 64 for h in session.scalars(select(SignInCode.code_hash)))
    assert _code_of(message) not in "".join(session.scalars(select(SignInCode.code_hash)))


def test_enumeration_gives_identical_answers_and_no_more_codes_than_the_limits(
    client, session, outbox
):
    register(session, REGISTERED)
    session.commit()
    picker = random.Random(13)
    niks = [f"3171{picker.randrange(10**12):012d}" for _ in range(990)] + [REGISTERED] * 10
    picker.shuffle(niks)
    shapes = {_shape(_ask(client, nik), nik) for nik in niks}
    assert len(shapes) == 1
    assert next(iter(shapes))[0] == 200
    assert len(_messages(outbox)) == 3, "three codes per NIK per hour, none for unknown NIKs"
    asked = Counter(niks)
    stored = session.scalar(select(func.count()).select_from(SignInCode))
    assert stored == sum(min(times, 3) for times in asked.values()), "the limit holds for all"


def test_a_malformed_nik_is_a_4xx_and_sends_nothing(client, outbox):
    for nik in ("123", "x" * 16, ""):
        assert _ask(client, nik).status_code == 422
    assert client.post("/saya/kode", data={"nik": "1" * 100}).status_code == 422
    assert _messages(outbox) == []


def test_sign_in_sets_a_strict_cookie_and_shows_only_ones_own_story(
    client, session, cli, tmp_path, outbox
):
    paid = pay(session, cli, tmp_path)
    answer = _sign_in(client, outbox, PAID_NIK)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/saya" in cookie
    page = client.get("/saya")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Halo, Peserta" in page.text
    # The form's values are the contract's instruction ids (which embed the card number).
    assert (
        paid["card"] not in page.text.replace(paid["mine"], "") and paid["card"][-4:] in page.text
    )
    assert PAID_NIK not in page.text
    assert "Dibayar pada 22 April 2020" in page.text
    assert paid["mine"] in page.text, "one's own instruction is offered in the grievance form"
    assert paid["failed"] not in page.text and paid["gopay"] not in page.text
    english = client.get("/saya?lang=en").text
    assert "Paid on April 22, 2020" in english


def test_a_wrong_code_is_refused_and_five_tries_use_the_code_up(client, session, outbox):
    register(session, REGISTERED)
    session.commit()
    _ask(client, REGISTERED)
    code = _code_of(_messages(outbox)[-1])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        refused = client.post("/saya/masuk", data={"nik": REGISTERED, "code": wrong})
        assert refused.status_code == 401
        assert "salah atau sudah tidak berlaku" in refused.text
    late = client.post(
        "/saya/masuk", data={"nik": REGISTERED, "code": code}, follow_redirects=False
    )
    assert late.status_code == 401
    assert "saya_session" not in late.headers.get("set-cookie", "")


def test_grievances_from_the_page_own_instructions_only(client, session, cli, tmp_path, outbox):
    paid = pay(session, cli, tmp_path)
    _sign_in(client, outbox, PAID_NIK)
    page = client.get("/saya").text
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', page).group(1)
    form = {
        "category": "NOT_RECEIVED",
        "instruction_id": paid["mine"],
        "text": "Belum masuk",
        "form_token": token,
    }
    filed = client.post("/saya/pengaduan", data=form, follow_redirects=False)
    assert filed.status_code == 303
    assert client.post("/saya/pengaduan", data=form, follow_redirects=False).status_code == 303
    shown = client.get(filed.headers["location"]).text
    assert "Laporan Anda sudah kami terima" in shown and "menunggu jawaban" in shown
    others = client.post("/saya/pengaduan", data={**form, "instruction_id": paid["failed"]})
    assert others.status_code == 404
    assert client.post("/saya/pengaduan", data={**form, "category": "LOUD"}).status_code == 422
    forged = client.post(
        "/saya/pengaduan", data={**form, "form_token": "0" * 64}, follow_redirects=False
    )
    assert forged.status_code == 303
    session.expire_all()
    [kept] = session.scalars(select(Grievance)).all()
    assert (kept.nik, kept.instruction_id, kept.category) == (
        PAID_NIK,
        paid["mine"],
        "NOT_RECEIVED",
    )
    assert OTHER_PAID_NIK not in {g.nik for g in session.scalars(select(Grievance))}


def test_sign_out_ends_the_session(client, session, outbox):
    register(session, REGISTERED)
    session.commit()
    _sign_in(client, outbox, REGISTERED)
    page = client.get("/saya").text
    assert "Keluar" in page
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', page).group(1)
    gone = client.post("/saya/keluar", data={"form_token": token}, follow_redirects=False)
    assert gone.status_code == 303
    client.cookies.clear()
    assert "Kirim kode" in client.get("/saya").text


def test_the_old_status_lookup_is_gone(client):
    assert client.get("/status").status_code == 404
    assert client.post("/status", data={"nik": "1", "birth_date": "x"}).status_code in (404, 405)


def test_a_participant_sees_what_they_owe_by_when_and_how_to_repay(client, session, outbox):
    claim = claimed(session)
    _sign_in(client, outbox, claim.nik)
    page = client.get("/saya").text
    owed = page.split('id="tagihan"')[1].split("</section>")[0]
    assert "Tagihan pengembalian dana" in owed
    assert "Lewat jatuh tempo, belum dikembalikan" in owed  # due 4 July 2020, long passed
    assert re.search(r"Jatuh tempo sudah lewat \d\.\d{3} hari", owed)  # thousands with "."
    assert "Mohon kembalikan Rp 600.000 paling lambat 4 Juli 2020" in owed
    assert f"Transfer ke {get_settings().escrow_account}" in owed
    assert f"<code>{claim.claim_id}</code>" in owed
    steps = page.split('class="next"')[1].split("</section>")[0]
    assert f"nomor tagihan {claim.claim_id}" in steps
    english = client.get("/saya?lang=en").text
    assert "Overdue, not repaid" in english
    assert f"quote the claim number {claim.claim_id} as the transfer reference" in english


def test_a_participant_without_a_claim_sees_no_claim(client, session, outbox, cli, tmp_path):
    pay(session, cli, tmp_path)
    _sign_in(client, outbox, PAID_NIK)
    page = client.get("/saya").text
    assert "Halo, Peserta" in page and "Insentif pascapelatihan, tahap 1" in page
    assert 'id="tagihan"' not in page and "REPAY" not in page
