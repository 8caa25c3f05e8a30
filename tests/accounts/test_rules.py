"""The lock-out window and the secrets of signing in."""

import datetime as dt

from prakerja.accounts.rules import csrf_matches, csrf_token, locked_until, new_password

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def _minutes(*values):
    return [T0 + dt.timedelta(minutes=m) for m in values]


def test_five_failures_within_15_minutes_lock_for_15_minutes_from_the_fifth():
    assert locked_until(_minutes(0, 1, 2, 3, 10)) == T0 + dt.timedelta(minutes=25)


def test_four_failures_or_five_spread_wider_do_not_lock():
    assert locked_until(_minutes(0, 1, 2, 3)) is None
    assert locked_until(_minutes(0, 4, 8, 12, 16)) is None


def test_passwords_are_long_random_and_csrf_tokens_belong_to_their_session():
    first, second = new_password(), new_password()
    assert len(first) >= 16 and first != second
    assert csrf_matches("session-a", csrf_token("session-a"))
    assert not csrf_matches("session-b", csrf_token("session-a"))
    assert not csrf_matches("session-a", "é" * 64)
