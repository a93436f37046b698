"""Datetime parsing for page metadata: ISO first, then `dateparser` for human text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Dates outside this range are typos, placeholders (1970-01-01) or calendar traps.
MIN_YEAR = 1995
MAX_YEAR = 2100

# A stated reading time above this is a typo or a trap (it also has to fit the column).
MAX_READING_MINUTES = 24 * 60
_ISO_DURATION_MINUTES = re.compile(r"^PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$", re.IGNORECASE)
_DOTTED = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
# dateparser's parsers minus "relative-time" and "timestamp": "3 hours ago" would be read
# against the clock of the machine cleaning the page, and a bare number is not a date.
_PARSERS = ["custom-formats", "absolute-time"]
_ISO_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?/")


# The languages dateparser tries on a page that names none (no `lang`, `inLanguage`,
# `og:locale` or source rule). dateparser's own default tries all of its ~200 locales:
# 10-15 s to build their regular expressions the first time, then ~0.15 s per string that
# is no date, which made reading dates a third of the cleaning time on real pages. The
# list holds the languages of the unnamed pages of the dev split (bench/corpora.py) and
# of the sources we crawl; a page whose title is written in kana, Hangul or Han characters
# gets its script's languages instead (`unnamed_page_languages`); dates in other languages
# still come from metadata and ISO text.
UNNAMED_PAGE_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def unnamed_page_languages(title: str) -> tuple[str, ...]:
    """The languages to read the dates of a page that names none in, by its title's script."""
    if _KANA.search(title):
        return ("ja",)
    if _HANGUL.search(title):
        return ("ko",)
    if _HAN.search(title):
        return ("zh", "ja")
    return UNNAMED_PAGE_LANGUAGES

# The zone a page's naive times are written in when neither the page (an offset on
# another of its dates) nor the source's rules say: languages spoken almost wholly in one
# zone (German: Germany, Austria and Switzerland share CET). English, Spanish, French or
# Portuguese pages may come from any continent: no guess for them.
LANGUAGE_ZONES = {"ja": "Asia/Tokyo", "ko": "Asia/Seoul", "zh": "Asia/Shanghai",
                  "de": "Europe/Berlin", "it": "Europe/Rome", "pl": "Europe/Warsaw",
                  "nl": "Europe/Amsterdam", "cs": "Europe/Prague", "hu": "Europe/Budapest"}


def language_zone(languages: tuple[str, ...] | None) -> str | None:
    """The zone LANGUAGE_ZONES gives the page's language, if any."""
    return LANGUAGE_ZONES.get(languages[0]) if languages else None


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def to_utc(value: datetime, tz: str | None = None) -> datetime | None:
    """Aware UTC datetime; naive values are taken in `tz` (the site's zone), else UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz) or UTC)
    if not MIN_YEAR <= value.year <= MAX_YEAR:  # also keeps astimezone off year 1 and 9999
        return None
    try:
        result = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        return None
    return result


def parse_datetime(
    value: object, tz: str | None = None, languages: tuple[str, ...] | None = None
) -> datetime | None:
    """Parse a date as pages write it: ISO 8601, RFC 2822, or human text in `languages`."""
    if isinstance(value, datetime):
        return to_utc(value, tz)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 120:
        return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return to_utc(datetime.fromisoformat(iso), tz)
    except ValueError:
        pass
    if text[:3].isalpha() and "," in text[:5]:
        try:
            return to_utc(parsedate_to_datetime(text), tz)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return parse_human_date(text, tz, languages)


def parse_human_date(
    text: str, tz: str | None = None, languages: tuple[str, ...] | None = None
) -> datetime | None:
    """Human-written date ("4. März 2026 um 09:15 Uhr") through `dateparser`."""
    if not any(ch.isdigit() for ch in text):
        return None
    # 05.03.2026 is day.month.year wherever it is written
    parser = _date_parser(languages or UNNAMED_PAGE_LANGUAGES, tz or "UTC",
                          bool(_DOTTED.search(text)))
    try:
        found = parser.get_date_data(text)["date_obj"]
    except (ValueError, OverflowError, TypeError, AttributeError, KeyError):
        found = None
    if found is None:
        return None
    return to_utc(found, tz)


@lru_cache(maxsize=256)
def _date_parser(languages: tuple[str, ...], tz: str, day_first: bool) -> Any:
    """One dateparser parser per (languages, zone, order), kept: `dateparser.parse` builds
    a new one, settings checked and locales looked up, for every string."""
    from dateparser import DateDataParser  # imported late: ~0.3 s, many pages never need it

    settings: dict[str, Any] = {
        "TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "STRICT_PARSING": False,
        "PARSERS": _PARSERS,
    }
    if day_first:
        settings["DATE_ORDER"] = "DMY"
    return DateDataParser(languages=list(languages), settings=settings)


def search_human_date(
    text: str, tz: str | None = None, languages: tuple[str, ...] | None = None
) -> datetime | None:
    """First date written inside a short text such as a byline ("Posted: March 4, 2026")."""
    if not any(ch.isdigit() for ch in text) or len(text) > 300:
        return None
    direct = parse_human_date(text, tz, languages)
    if direct is not None:
        return direct
    from dateparser.search import search_dates

    settings = {"TIMEZONE": tz or "UTC", "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
                "PARSERS": _PARSERS}
    if _DOTTED.search(text):  # as in parse_human_date: "Anna Muster, 01.12.2021" is 1 Dec
        settings["DATE_ORDER"] = "DMY"
    try:
        found = search_dates(text, languages=list(languages or UNNAMED_PAGE_LANGUAGES),
                             settings=settings)
    except (ValueError, OverflowError, TypeError, AttributeError, KeyError):
        return None
    for _, value in found or ():
        result = to_utc(value, tz)
        if result is not None:
            return result
    return None


def url_date(url: str) -> datetime | None:
    """The day a URL path names (`/2026/03/04/slug`), midnight UTC."""
    match = _URL_DATE.search(url)
    if not match or match.group(3) is None:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=UTC)
    except ValueError:
        return None


def duration_minutes(value: object) -> int | None:
    """Minutes of an ISO 8601 duration (`PT4M`), as in JSON-LD `timeRequired`."""
    if not isinstance(value, str):
        return None
    match = _ISO_DURATION_MINUTES.match(value.strip())
    if not match or not any(match.groups()):
        return None
    if any(g and len(g) > 6 for g in match.groups()):
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = timedelta(hours=hours, minutes=minutes, seconds=seconds).total_seconds() / 60
    return plausible_minutes(max(1, round(total)))


def plausible_minutes(minutes: int) -> int | None:
    """A stated reading time, or None when no reader could mean it (0, or over a day)."""
    return minutes if 1 <= minutes <= MAX_READING_MINUTES else None


def naive_iso(value: object) -> datetime | None:
    """The wall time of an ISO date-time written without an offset ("2026-03-04T09:15"),
    else None (no time, an offset, or not ISO)."""
    if not isinstance(value, str) or not _ISO_LOCAL.match(value.strip()):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def stated_offset(value: object) -> tuple[datetime, timedelta] | None:
    """(wall time, UTC offset) of an ISO date-time that states its offset."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = parsed.utcoffset()
    if offset is None or "T" not in text and " " not in text:
        return None
    return parsed.replace(tzinfo=None), offset


def with_page_offset(wall: datetime, stated: list[tuple[datetime, timedelta]]) -> datetime | None:
    """A naive wall time placed in the offset another date on the same page states: the one
    written for the same minute, else the offset most dates on the page use."""
    if not stated:
        return None
    same = [off for when, off in stated if when.replace(second=0, microsecond=0)
            == wall.replace(second=0, microsecond=0)]
    if same:
        offset = same[0]
    else:
        offsets = [off for _, off in stated]
        offset = max(set(offsets), key=offsets.count)
    return to_utc(wall.replace(tzinfo=timezone(offset)))


def parse_with_formats(
    text: str | None, formats: tuple[str, ...], tz: str | None = None
) -> datetime | None:
    """A date written in one of a site's own `strptime` formats ("%d.%m.%Y, %H:%M Uhr"),
    searched at the start of `text`; naive values are taken in `tz`."""
    if not text or not formats:
        return None
    text = " ".join(text.split())
    for fmt in formats:
        for end in range(len(text), 5, -1):  # the longest prefix that fits the format
            try:
                found = datetime.strptime(text[:end], fmt)
            except ValueError:
                continue
            return to_utc(found, tz)
    return None
