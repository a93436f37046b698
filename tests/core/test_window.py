"""`Window` and `parse_day`: the one day type of the pipeline, and the days people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from autonews.core import BadInput, Window, parse_day


def test_a_day_is_the_half_open_utc_interval():
    window = Window.for_day(date(2026, 11, 13))
    assert window.bounds == (datetime(2026, 11, 13, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))
    assert window.is_one_day and str(window) == "2026-11-13" and len(window) == 1
    assert window.contains(datetime(2026, 11, 13, 23, 59, 59, tzinfo=UTC))
    assert not window.contains(datetime(2026, 11, 14, tzinfo=UTC))


def test_a_range_covers_whole_utc_days_both_included():
    days = Window.parse("2026-11-11", "2026-11-13")
    assert (days.first_day, days.last_day) == (date(2026, 11, 11), date(2026, 11, 13))
    assert days.start == datetime(2026, 11, 11, tzinfo=UTC)
    assert days.end == datetime(2026, 11, 14, tzinfo=UTC)
    assert list(days.dates()) == [date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13)]
    assert [str(w) for w in days.each_day()] == ["2026-11-11", "2026-11-12", "2026-11-13"]
    assert str(days) == "2026-11-11..2026-11-13" and len(days) == 3


def test_missing_ends_default_to_the_last_days_up_to_today():
    today = date(2026, 11, 25)
    assert Window.parse(None, None, today=today) == Window.days(date(2026, 11, 19), today)
    assert Window.parse(None, "2026-11-13", default_days=1) == Window.for_day(date(2026, 11, 13))
    assert Window.parse("2026-11-20", None, today=today).last_day == today


def test_a_backwards_range_is_a_clear_error():
    with pytest.raises(BadInput, match="backwards: --from 2026-11-13 is after --to "
                                       "2026-11-11"):
        Window.parse("2026-11-13", "2026-11-11")


@pytest.mark.parametrize(("first", "last", "message"), [
    ("13/11/2026", "2026-11-13", "--from '13/11/2026' is not a date"),
    ("2026-11-11", "tomorrow", "--to 'tomorrow' is not a date"),
    ("2026-02-30", None, "--from '2026-02-30' is not a date"),
    ("20261111", "2026-11-13", "--from '20261111' is not a date"),  # ISO basic format
    ("2026-W46-3", "2026-11-13", "--from '2026-W46-3' is not a date"),  # ISO week date
    ("1990-01-01", "2026-01-01", "longer than"),
])
def test_bad_days_are_refused(first, last, message):
    with pytest.raises(BadInput, match=message):
        Window.parse(first, last)


def test_days_after_today_are_refused_where_asked():
    today = date(2026, 11, 25)
    with pytest.raises(BadInput, match=r"--date 2026-11-26 is in the future \(today is "
                                       r"2026-11-25 UTC\)"):
        parse_day("2026-11-26", latest=today)
    assert parse_day("2026-11-25", latest=today) == today
    with pytest.raises(BadInput, match="--to 2026-12-01 is in the future"):
        Window.parse("2026-11-20", "2026-12-01", today=today, future=False)


def test_a_window_travels_as_json_and_back():
    window = Window.days(date(2026, 11, 1), date(2026, 11, 13))
    assert Window.from_json(window.to_json()) == window


def test_an_empty_or_naive_window_cannot_exist():
    start = datetime(2026, 11, 13, tzinfo=UTC)
    with pytest.raises(BadInput, match="empty or backwards"):
        Window(start, start)
    with pytest.raises(ValueError, match="timezone-aware"):
        Window(start.replace(tzinfo=None), start.replace(tzinfo=None) + timedelta(days=1))
    odd = Window(start + timedelta(hours=6), start + timedelta(hours=30))
    assert not odd.is_whole_days and list(odd.dates()) == [date(2026, 11, 13),
                                                          date(2026, 11, 14)]
