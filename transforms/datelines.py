"""Publication and modification dates a page states: metadata, `<time>`, bylines, URL, htmldate."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from bs4 import Tag

from transforms.dates import (
    language_zone,
    naive_iso,
    parse_datetime,
    parse_human_date,
    parse_with_formats,
    search_human_date,
    stated_offset,
    unnamed_page_languages,
    url_date,
    with_page_offset,
)
from transforms.index import PageIndex, attr_text, class_words
from transforms.jsonld import text_value
from transforms.rules import BYLINE_PREFIXES, ExtractionRules
from transforms.text import collapse

PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                  "publish-date", "publish_date", "pubdate", "parsely-pub-date",
                  "sailthru.date", "dc.date.issued", "dc.date", "dcterms.created", "date",
                  "article.published", "cxenseparse:recs:publishtime")
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "og:updated_time",
                 "datemodified", "dcterms.modified", "last-modified", "article.updated")
DATE_HINT_WORDS = frozenset({"date", "time", "posted", "published", "submitted", "dateline",
                             "byline", "meta", "pubdate", "timestamp", "created", "datum",
                             "fecha"})
DATE_CUES = ("posted", "published", "submitted", "updated", "veröffentlicht", "publié",
             "publicado", "date:", "datum", "fecha")
DATELINE_TAGS = frozenset({"span", "div", "p", "small", "td", "font", "em", "li", "b",
                           "strong", "time"})
UPDATED_CUES = ("last updated", "updated", "aktualisiert", "zuletzt aktualisiert",
                "mis à jour", "actualizado", "modified")
_RDFA_DATE = re.compile(r"(schema:|dc:|dcterms:)?(datePublished|dateCreated|date|created)$")
_BYLINE_START = re.compile(rf"(^|\|)\s*{BYLINE_PREFIXES}", re.IGNORECASE)
_UPDATED_TEXT = re.compile(r"(updated|aktualisiert|mis à jour|actualizado)", re.IGNORECASE)
_CUE = re.compile(r"^(posted|published|submitted|date|datum|fecha|veröffentlicht|publié le|"
                  r"publicado el|publicado)\s*(on|am|le|el)?\s*:?\s*", re.IGNORECASE)


class _Published:
    """The first publication date that parses, and where it came from."""

    def __init__(self, tz: str | None, languages: tuple[str, ...] | None,
                 formats: tuple[str, ...] = ()) -> None:
        self.tz, self.languages, self.formats = tz, languages, formats
        self.at: datetime | None = None
        self.source: str | None = None
        self.raw: str | None = None

    def attempt(self, value: Any, source: str) -> None:
        if self.at is None and value:
            raw = text_value(value)
            parsed = parse_with_formats(raw, self.formats, self.tz) or \
                parse_datetime(raw, self.tz, self.languages)
            if parsed is not None:
                self.at, self.source, self.raw = parsed, source, raw


def read_dates(
    page: PageIndex,
    url: str,
    article: dict[str, Any],
    meta: dict[str, list[str]],
    rules: ExtractionRules,
    languages: tuple[str, ...] | None,
) -> tuple[datetime | None, datetime | None, str | None]:
    """(published_at, modified_at, date_source) as the page states them.

    Order of trust (the first that parses wins, `date_source` names it): selector > jsonld >
    meta > microdata > time > text (byline) > url > htmldate.
    """
    if not languages:
        title = page.first("title")
        languages = unnamed_page_languages(title.get_text() if isinstance(title, Tag) else "")
    tz = rules.timezone or language_zone(languages)
    published = _Published(tz, languages, rules.date_formats)
    modified_from_time = False

    if rules.date_selector:
        for tag in page.soup.select(rules.date_selector):
            published.attempt(tag.get("datetime") or tag.get("content") or tag.get_text(" "),
                              "selector")
    published.attempt(article.get("datePublished") or article.get("dateCreated"), "jsonld")
    modified = parse_datetime(text_value(article.get("dateModified")), tz, languages)
    for key in PUBLISHED_META:
        for value in meta.get(key, []):
            published.attempt(value, "meta")
    if modified is None:
        for key in MODIFIED_META:
            if meta.get(key):
                modified = parse_datetime(meta[key][0], tz, languages)
                break
    if published.at is None:
        for prop in ("datePublished", "dateCreated"):
            for tag in page.with_attr("itemprop", _equals(prop)):
                published.attempt(tag.get("content") or tag.get("datetime")
                                  or tag.get_text(" "), "microdata")
        rdfa = page.with_attr("property",
                              lambda v: isinstance(v, str) and bool(_RDFA_DATE.search(v)))
        for tag in rdfa:
            published.attempt(tag.get("content") or tag.get("datetime"), "microdata")
    if published.at is None or modified is None:
        for tag in page.named("time"):
            if page.in_ignored_context(tag):
                continue
            words = class_words(tag)
            value = attr_text(tag, "datetime") or tag.get_text(" ")
            if words & {"updated", "modified"} and "published" not in words:
                if modified is None:
                    modified = parse_datetime(value, tz, languages)
                    modified_from_time = True
                continue
            published.attempt(value, "time")
    at, source = published.at, published.source
    stated = _stated_offsets(page, article, meta)
    wall = naive_iso(published.raw)
    if at is not None and wall is not None and (placed := with_page_offset(wall, stated)):
        at = placed  # a naive JSON-LD time, placed by the offset a <meta> states
    wall = naive_iso(text_value(article.get("dateModified")))
    if modified is not None and wall is not None and (placed := with_page_offset(wall, stated)):
        modified = placed
    if at is None and rules.date_formats:
        at, source = formatted_date(page, rules.date_formats, tz) or (None, None)
    if at is None:
        at, source = byline_date(page, tz, languages, rules.date_formats) or (None, None)
    if at is None and (found := url_date(url)) is not None:
        at, source = found, "url"
    if at is None:
        at = _htmldate(page, url, languages)
        source = "htmldate" if at else None
    if modified is None and source in ("text", "url", "htmldate"):
        modified = updated_text_date(page, tz, languages)
    if modified is not None and at is not None and (
            modified < at or (modified_from_time and modified == at)):
        modified = None  # a theme's "updated" <time> that only repeats the publication
    return at, modified, source


def _stated_offsets(
    page: PageIndex, article: dict[str, Any], meta: dict[str, list[str]]
) -> list[tuple[datetime, timedelta]]:
    """(wall time, offset) of every machine-readable date on the page that states its
    offset: metadata, JSON-LD, `<time datetime>`."""
    values: list[Any] = [text_value(article.get(k)) for k in
                         ("datePublished", "dateModified", "dateCreated")]
    values += [v for key in (*PUBLISHED_META, *MODIFIED_META) for v in meta.get(key, [])]
    values += [attr_text(t, "datetime") for t in page.named("time")]
    return [found for v in values if (found := stated_offset(v)) is not None]


def _equals(wanted: str) -> Callable[[Any], bool]:
    return lambda value: value == wanted


def formatted_date(
    page: PageIndex, formats: tuple[str, ...], tz: str | None
) -> tuple[datetime, str] | None:
    """The first short text written in one of the source's date formats."""
    for text in page.strings:
        if len(text) > 120 or not any(ch.isdigit() for ch in text):
            continue
        parent = text.parent
        if isinstance(parent, Tag) and page.in_ignored_context(parent):
            continue
        found = parse_with_formats(str(text), formats, tz)
        if found is not None:
            return found, "text"
    return None


def byline_date(
    page: PageIndex, tz: str | None, languages: tuple[str, ...] | None,
    formats: tuple[str, ...] = (),
) -> tuple[datetime, str] | None:
    """A date written in the page's byline/dateline ("Posted: March 4, 2026")."""
    candidates: list[Tag] = []
    for tag in page.tags:
        if tag.name not in DATELINE_TAGS:
            continue
        if not class_words(tag) & DATE_HINT_WORDS:
            if not page.first_text(tag).lower().startswith(DATE_CUES):
                continue
        candidates.append(tag)
    candidates.extend(_byline_containers(page))
    for tag in candidates:
        text = page.short_text(tag, 200)
        if text is None or len(text) < 6 or page.in_ignored_context(tag):
            continue
        if text.lower().startswith(UPDATED_CUES):
            continue
        stripped = (s.strip() for s in page.strings_in(tag) if s.strip())
        for piece in (text, *stripped):
            piece = collapse(piece).strip(" :|,")
            if piece.lower().startswith(UPDATED_CUES):
                continue
            found = parse_with_formats(_CUE.sub("", piece), formats, tz) or \
                parse_human_date(_CUE.sub("", piece), tz, languages)
            if found is not None:
                return found, "text"
        found = search_human_date(text, tz, languages)
        if found is not None:
            return found, "text"
    return None


def _byline_containers(page: PageIndex) -> list[Tag]:
    """The parent and grandparent of each visible "By ..." string: where bylines keep the
    date when no markup says so."""
    found: list[Tag] = []
    for text in page.strings:
        if not _BYLINE_START.search(text):
            continue
        parent = text.parent
        for _ in range(2):
            if not isinstance(parent, Tag) or parent.name in ("body", "html", "script", "style"):
                break
            found.append(parent)
            parent = parent.parent
    return found


def updated_text_date(
    page: PageIndex, tz: str | None, languages: tuple[str, ...] | None
) -> datetime | None:
    """A modification date written as text: "Last updated: 06.03.2026"."""
    for text in page.strings:
        if not _UPDATED_TEXT.search(text):
            continue
        chunk = collapse(text)
        parent = text.parent
        if len(chunk) > 80 or not isinstance(parent, Tag) or page.in_ignored_context(parent):
            continue
        lowered = chunk.lower()
        for cue in UPDATED_CUES:
            if lowered.startswith(cue):
                rest = chunk[len(cue):].strip(" :")
                if not any(ch.isdigit() for ch in rest):
                    rest = collapse(parent.get_text(" "))[len(cue):].strip(" :")
                found = parse_human_date(rest, tz, languages)
                if found is not None:
                    return found
    return None


def _htmldate(page: PageIndex, url: str, languages: tuple[str, ...]) -> datetime | None:
    """Last resort: htmldate's heuristics over the whole page, its text searched too."""
    from htmldate import find_date

    _limit_htmldate_languages()
    token = _HTMLDATE_LANGUAGES.set(languages)
    try:
        found = find_date(page.markup or str(page.soup), url=url, original_date=True,
                          extensive_search=True, outputformat="%Y-%m-%dT%H:%M:%S")
    except (ValueError, TypeError):
        return None
    finally:
        _HTMLDATE_LANGUAGES.reset(token)
    return parse_datetime(found) if found else None


# htmldate hands the text it finds to one dateparser parser built for all ~200 locales
# (`htmldate.extractors.get_external_parser`, looked up at each call): the page's own
# languages instead spare 10-15 s of set-up and ~0.15 s per string that is no date, for the
# same dates. The languages travel in a context variable (each thread has its own), and the
# lookup is replaced once for good: saving and restoring it around each call would let two
# threads cleaning at once leave one page's languages installed for every later page.
_HTMLDATE_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar(
    "autonews_htmldate_languages", default=None)
_INSTALL = threading.Lock()


def _limit_htmldate_languages() -> None:
    from htmldate import extractors

    with _INSTALL:
        if getattr(extractors.get_external_parser, "autonews_limited", False):
            return
        original = extractors.get_external_parser

        def limited(*args: Any, **kwargs: Any) -> Any:
            languages = _HTMLDATE_LANGUAGES.get()
            if languages is None:  # htmldate called by someone else: its own parser
                return original(*args, **kwargs)
            return _external_parser(languages)

        limited.autonews_limited = True  # type: ignore[attr-defined]
        extractors.get_external_parser = limited  # type: ignore[assignment]


@lru_cache(maxsize=64)
def _external_parser(languages: tuple[str, ...]) -> Any:
    """htmldate's own parser settings (`htmldate.extractors.get_external_parser`), limited
    to `languages`."""
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings={
        "NORMALIZE": True, "PARSERS": ["custom-formats", "absolute-time"],
        "PREFER_DATES_FROM": "past", "PREFER_LOCALE_DATE_ORDER": True,
        "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True})
