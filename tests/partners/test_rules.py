"""Token shape and hashing, safe file names, dispute reasons."""

from __future__ import annotations

import pytest

from prakerja.kit.errors import InputError
from prakerja.partners import rules


def test_a_token_names_its_partner_and_is_stored_as_a_digest():
    token = rules.new_token("OVO")
    assert rules.token_partner(token) == "OVO"
    assert len(token) > 40
    assert rules.new_token("OVO") != token
    digest = rules.token_digest(token)
    assert token not in digest
    assert len(digest) == 64
    assert rules.digest_matches(digest, token)
    assert not rules.digest_matches(digest, token + "x")


@pytest.mark.parametrize("text", ["", "OVO", "OVO.", ".abc", "ovo.abc", "O V O.abc"])
def test_text_not_shaped_like_a_token_names_no_partner(text):
    assert rules.token_partner(text) is None


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("results.csv", "results.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\files\\hasil bayar.jsonl", "hasil_bayar.jsonl"),
        ("..", "upload.csv"),
        (None, "upload.csv"),
        (".hidden.csv", "hidden.csv"),
        ("a" * 300 + ".xml", "a" * 116 + ".xml"),
    ],
)
def test_an_uploaded_files_name_is_made_safe_and_keeps_its_suffix(given, kept):
    assert rules.safe_file_name(given) == kept


def test_a_dispute_reason_is_folded_and_bounded():
    assert rules.written_reason("  paid\n twice ") == "paid twice"
    for bad in ("", "  \n", "x" * 1001):
        with pytest.raises(InputError):
            rules.written_reason(bad)
