"""The director's sentence on the dashboard, in Indonesian and in English."""

import datetime as dt

from prakerja.reconciliation.gap import GapStage, gap_sentence, recorded_gap_rows
from prakerja.web.i18n import translations

STAGES = tuple(stage.value for stage in GapStage)


def _gap(**participants):
    return [
        {
            "stage": stage,
            "participants": participants.get(stage, 0),
            "amount_idr": participants.get(stage, 0) * 600_000,
        }
        for stage in STAGES
    ]


def _sentence(rows, locale):
    return gap_sentence(
        dt.date(2020, 5, 4),
        recorded_gap_rows(rows),
        words=translations(locale),
        thousands="." if locale == "id" else ",",
    )


def test_the_command_line_sentence_is_the_same_function_untranslated():
    rows = _gap(PAID=1, AWAITING_REVIEW=1200)
    assert gap_sentence(dt.date(2020, 5, 4), recorded_gap_rows(rows)) == (
        "As of 2020-05-04, 1,201 participants completed their first training and 1 of them was "
        "paid their first incentive (Rp 600.000); the difference of 1,200 (Rp 720.000.000) is "
        "1,200 waiting for their review of the training."
    )


def test_english_counts_agree_with_their_numbers_and_name_every_stage_waiting():
    rows = _gap(PAID=1, AWAITING_REVIEW=2, NO_ACCOUNT=1)
    assert _sentence(rows, "en") == (
        "As of 2020-05-04, 4 participants completed their first training and 1 of them was "
        "paid the first incentive (Rp 600.000); the difference of 3 (Rp 1.800.000) is 2 waiting "
        "for their review of the training and 1 without a payout account."
    )


def test_indonesian_reads_as_indonesian_with_dots_between_thousands():
    rows = _gap(PAID=1234, HELD_INELIGIBLE=5)
    assert _sentence(rows, "id") == (
        "Per 2020-05-04, 1.239 peserta telah menyelesaikan pelatihan pertamanya dan 1.234 di "
        "antaranya telah menerima insentif pertama (Rp 740.400.000); selisih 5 peserta "
        "(Rp 3.000.000) terdiri atas 5 ditahan karena tercantum dalam daftar larangan."
    )


def test_nobody_waiting():
    rows = _gap(PAID=2)
    assert _sentence(rows, "en").endswith(
        "2 of them were paid the first incentive (Rp 1.200.000); nobody is waiting."
    )


def test_every_part_of_the_sentence_is_translated_into_indonesian():
    rows = _gap(**dict.fromkeys(STAGES, 2))
    sentence = _sentence(rows, "id")
    english = ("As of", "participant", " and ", "difference", "held", "flight", "waiting", "due")
    assert not [word for word in english if word in sentence], sentence
    assert sentence.count(" peserta") == 2
