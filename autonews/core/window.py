"""`Window`: the UTC publication interval a run covers, one day or a range of whole days;
and the one parser of the days people type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from autonews.core.errors import BadInput

# Exactly YYYY-MM-DD: `date.fromisoformat` also takes 20261125 and ISO week dates, which a
# person typing a day does not mean and our messages do not promise.
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Ranges longer than this are a typo (`--from 0001-01-01`), not a backfill.
MAX_RANGE_DAYS = 3660
ONE_DAY = timedelta(days=1)


def parse_day(text: str, *, option: str = "--date", latest: date | None = None) -> date:
    """The day `text` names (YYYY-MM-DD), refused with a message naming `option` when it is
    not a date or, given `latest`, is after it."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if not _DAY.match(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"{option} '{text}' is not a date (use YYYY-MM-DD)") from exc
    if latest is not None and day > latest:
        raise BadInput(f"{option} {day} is in the future (today is {latest} UTC)")
    return day


def today_utc() -> date:
    return datetime.now(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, order=True)
class Window:
    """A half-open UTC interval [start, end) of publication instants: a run for day D covers
    [D 00:00, D+1 00:00) UTC; a range of days covers all of them."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a Window's bounds must be timezone-aware")
        if self.end <= self.start:
            raise BadInput(f"the window {self.start.isoformat()}..{self.end.isoformat()} "
                           "is empty or backwards")

    # ------------------------------------------------------------ building

    @classmethod
    def for_day(cls, day: date) -> Window:
        """The UTC publication day `day`."""
        start = _midnight(day)
        return cls(start, start + ONE_DAY)

    @classmethod
    def days(cls, first: date, last: date) -> Window:
        """The whole UTC days `first` to `last`, both included."""
        if last < first:
            raise BadInput(f"the range is backwards: --from {first} is after --to {last}")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise BadInput(f"the range {first}..{last} is longer than {MAX_RANGE_DAYS} days")
        return cls(_midnight(first), _midnight(last) + ONE_DAY)

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, default_days: int = 7,
              today: date | None = None, future: bool = True) -> Window:
        """The range of `--from` / `--to` as typed: a missing `--to` is today (UTC), a missing
        `--from` is `default_days` days up to `--to`. Unless `future`, days after today are
        refused."""
        now = today or today_utc()
        latest = None if future else now
        end = parse_day(last, option="--to", latest=latest) if last else now
        start = parse_day(first, option="--from", latest=latest) if first \
            else end - timedelta(days=default_days - 1)
        return cls.days(start, end)

    # ------------------------------------------------------------ reading

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.start, self.end

    @property
    def first_day(self) -> date:
        return self.start.astimezone(UTC).date()

    @property
    def last_day(self) -> date:
        """The last UTC day the window touches."""
        return (self.end - timedelta(microseconds=1)).astimezone(UTC).date()

    @property
    def is_whole_days(self) -> bool:
        return self.start == _midnight(self.first_day) and self.end == _midnight(self.last_day) \
            + ONE_DAY

    @property
    def is_one_day(self) -> bool:
        return self.is_whole_days and self.first_day == self.last_day

    def dates(self) -> Iterator[date]:
        """Every UTC day the window touches, in order."""
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += ONE_DAY

    def each_day(self) -> Iterator[Window]:
        """The window's days as one-day windows (a backfill runs them one by one)."""
        for day in self.dates():
            yield Window.for_day(day)

    def __len__(self) -> int:
        """How many UTC days the window touches."""
        return (self.last_day - self.first_day).days + 1

    def contains(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def __str__(self) -> str:
        if self.is_one_day:
            return self.first_day.isoformat()
        if self.is_whole_days:
            return f"{self.first_day}..{self.last_day}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    # ------------------------------------------------------------ on the wire

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: Any) -> Window:
        return cls(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))
