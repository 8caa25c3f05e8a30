import datetime as dt

import pytest

from prakerja.kit.errors import ConfigurationError, NotFoundError
from prakerja.schemes.loader import SHIPPED_DIR, all_schemes, get_scheme, load_scheme_file


def test_the_three_contract_schemes_ship():
    schemes = all_schemes()
    assert set(schemes) >= {"PANDEMIC_2020", "SEMI_BANSOS_2021", "NORMAL_2023"}
    pandemic, semi, normal = (
        schemes[c] for c in ("PANDEMIC_2020", "SEMI_BANSOS_2021", "NORMAL_2023")
    )
    assert (pandemic.age.minimum, pandemic.age.maximum) == (18, None)
    assert (normal.age.minimum, normal.age.maximum) == (18, 64)
    assert pandemic.training_balance_idr == semi.training_balance_idr == 1_000_000
    assert normal.training_balance_idr == 3_500_000
    assert (
        pandemic.post_training_incentive.amount_idr,
        pandemic.post_training_incentive.tranches,
    ) == (600_000, 4)
    assert normal.post_training_incentive.tranches == 1
    assert (pandemic.survey_incentive.surveys, normal.survey_incentive.surveys) == (3, 2)
    assert pandemic.survey_incentive.amount_idr == 50_000
    assert {code.value for code in semi.barring_lists} - {
        code.value for code in pandemic.barring_lists
    } == {"SOCIAL_ASSISTANCE", "WAGE_SUBSIDY", "MICRO_GRANT"}
    assert all(s.max_monthly_income_idr is None for s in (pandemic, semi, normal))
    assert pandemic.purchase_deadline(dt.date(2020, 4, 17)) == dt.date(2020, 5, 17)
    assert normal.purchase_deadline(dt.date(2023, 1, 1)) == dt.date(2023, 1, 16)
    assert pandemic.balance_expiry(dt.date(2020, 4, 17)) == dt.date(2020, 12, 15)


def test_unknown_scheme_names_the_known_ones():
    with pytest.raises(NotFoundError, match="NORMAL_2023"):
        get_scheme("NOPE")


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            ("training_balance_idr: 1000000", "training_balance_idr: satu juta"),
            "training_balance_idr",
        ),
        (("age: {minimum: 18, maximum: null}", "age: {minimum: 18, maximum: 10}"), "(root)"),
        (("tranches: 4", "tranches: 0"), "post_training_incentive.tranches"),
        (("barring_lists: [STUDENT,", "barring_lists: [PILOT,"), "barring_lists.0"),
        (("partner_result_sla_days: 1", "partner_result_sla_days: 1\ncolour: blue"), "colour"),
    ],
)
def test_broken_scheme_file_names_file_and_field(tmp_path, edit, field):
    text = (SHIPPED_DIR / "pandemic_2020.yaml").read_text()
    assert edit[0] in text
    path = tmp_path / "pandemic_2020.yaml"
    path.write_text(text.replace(edit[0], edit[1]))
    with pytest.raises(ConfigurationError) as caught:
        load_scheme_file(path)
    assert str(path) in caught.value.message
    assert f"field {field}" in caught.value.message


def test_unreadable_scheme_file(tmp_path):
    path = tmp_path / "x_2020.yaml"
    path.write_text("code: [unclosed")
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_scheme_file(path)
    path.write_text("just text")
    with pytest.raises(ConfigurationError, match="mapping"):
        load_scheme_file(path)


def test_code_must_match_file_name(tmp_path):
    path = tmp_path / "other_2020.yaml"
    path.write_text((SHIPPED_DIR / "pandemic_2020.yaml").read_text())
    with pytest.raises(ConfigurationError, match="field code"):
        load_scheme_file(path)
