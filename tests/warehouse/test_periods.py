"""Periods people type: day ranges and ages, refused with a clear message when wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from warehouse.periods import DayRange, InvalidInput, parse_age


def test_a_range_covers_whole_utc_days_both_included():
    days = DayRange.parse("2026-11-11", "2026-11-13")
    assert (days.first, days.last) == (date(2026, 11, 11), date(2026, 11, 13))
    assert days.start_at == datetime(2026, 11, 11, tzinfo=UTC)
    assert days.end_at == datetime(2026, 11, 14, tzinfo=UTC)
    assert list(days.days()) == [date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13)]
    assert str(days) == "2026-11-11..2026-11-13"


def test_missing_ends_default_to_the_last_days_up_to_today():
    today = date(2026, 11, 25)
    assert DayRange.parse(None, None, today=today) == DayRange(date(2026, 11, 19), today)
    assert DayRange.parse(None, "2026-11-13", default_days=1) == DayRange(
        date(2026, 11, 13), date(2026, 11, 13))
    assert DayRange.parse("2026-11-20", None, today=today).last == today


def test_a_backwards_range_is_a_clear_error():
    with pytest.raises(InvalidInput, match="backwards: --from 2026-11-13 is after --to "
                                           "2026-11-11"):
        DayRange.parse("2026-11-13", "2026-11-11")


@pytest.mark.parametrize(("first", "last", "message"), [
    ("13/11/2026", "2026-11-13", "--from '13/11/2026' is not a date"),
    ("2026-11-11", "tomorrow", "--to 'tomorrow' is not a date"),
    ("2026-02-30", None, "--from '2026-02-30' is not a date"),
    ("1990-01-01", "2026-01-01", "longer than"),
])
def test_bad_days_are_refused(first, last, message):
    with pytest.raises(InvalidInput, match=message):
        DayRange.parse(first, last)


@pytest.mark.parametrize(("text", "age"), [
    ("90d", timedelta(days=90)), ("12w", timedelta(weeks=12)), (" 7D ", timedelta(days=7)),
    ("1d", timedelta(days=1)), ("365d", timedelta(days=365)),
])
def test_ages_in_days_or_weeks(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "90", "abc", "90m", "-5d", "1.5d", "d90", "90 days",
                                  "12w3d", "999999d"])
def test_garbage_ages_are_refused(text):
    with pytest.raises(InvalidInput, match="is not an age: use a number of days or weeks"):
        parse_age(text)


def test_an_age_below_one_day_is_refused():
    with pytest.raises(InvalidInput, match="too recent"):
        parse_age("0d")
