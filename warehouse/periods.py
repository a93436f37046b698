"""Periods people type: ranges of UTC publication days and ages like `90d` or `12w`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_AGE = re.compile(r"^\s*(\d{1,5})\s*([dw])\s*$", re.IGNORECASE)
_AGE_UNITS = {"d": 1, "w": 7}
MAX_RANGE_DAYS = 3660


class InvalidInput(ValueError):
    """A period or argument a person typed is not valid; the message says how to fix it."""


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{option} '{value}' is not a date (use YYYY-MM-DD)") from exc


@dataclass(frozen=True)
class DayRange:
    """UTC publication days `first` to `last`, both included: [first 00:00, last+1 00:00)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInput(f"the range is backwards: --from {self.first} is after "
                               f"--to {self.last}")
        if (self.last - self.first).days >= MAX_RANGE_DAYS:
            raise InvalidInput(f"the range {self.first}..{self.last} is longer than "
                               f"{MAX_RANGE_DAYS} days")

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, default_days: int = 7,
              today: date | None = None) -> DayRange:
        """The range from `--from`/`--to` strings; a missing `--to` is today (UTC), a missing
        `--from` is `default_days` days up to `--to`."""
        end = _parse_day(last, "--to") if last else (today or datetime.now(UTC).date())
        start = _parse_day(first, "--from") if first else end - timedelta(days=default_days - 1)
        return cls(start, end)

    @property
    def start_at(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The instant just after the range (exclusive bound)."""
        return datetime(self.last.year, self.last.month, self.last.day,
                        tzinfo=UTC) + timedelta(days=1)

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}..{self.last}"


def parse_age(text: str, *, minimum: timedelta = timedelta(days=1)) -> timedelta:
    """An age like `90d` (days) or `12w` (weeks); at least `minimum`."""
    match = _AGE.match(text or "")
    if not match:
        raise InvalidInput(f"'{text}' is not an age: use a number of days or weeks, "
                           "like 90d or 12w")
    age = timedelta(days=int(match.group(1)) * _AGE_UNITS[match.group(2).lower()])
    if age < minimum:
        raise InvalidInput(f"'{text}' is too recent: the age must be at least "
                           f"{minimum.days} day(s)")
    return age
