"""Author names: per-source selector, JSON-LD, microdata, meta tags, rel=author, bylines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bs4 import Tag

from transforms.index import PageIndex
from transforms.jsonld import ORGANIZATION_TYPES, text_value, types_of
from transforms.people import AGENCIES, NameKind, name_kind, tidy_name
from transforms.rules import BYLINE_PREFIXES, NOT_NAMES, ExtractionRules
from transforms.text import collapse

AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
               "byl")
AUTHOR_HINTS = re.compile(r"(^|[-_ ])(author|byline|writer|autor|auteur|reporter|"
                          r"contributor|submitted|creator)s?([-_ ]|$)", re.IGNORECASE)
BYLINE_TEXT = re.compile(rf"\b{BYLINE_PREFIXES}", re.IGNORECASE)
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bmit\b|\|)\s*",
                            re.IGNORECASE)
_BYLINE_PREFIX = re.compile(rf"^\s*{BYLINE_PREFIXES}\s*:?\s*", re.IGNORECASE)
_BYLINE_TAIL = re.compile(rf"(?:^|[|·•,]\s*|\s)({BYLINE_PREFIXES})\s*:?\s*$", re.IGNORECASE)
_AFTER_NAMES = re.compile(r"\s+(?:on|am|le|el|updated|aktualisiert|\||—|–|-)\s+")
_NAME_PARTICLES = frozenset({"de", "van", "von", "der", "den", "da", "di", "du", "la", "le",
                             "del", "dos", "bin", "al", "ten", "ter", "y"})


def split_author_names(text: str) -> list[str]:
    """'By Ana Ruiz and Tom Lee' -> ['Ana Ruiz', 'Tom Lee'] (prefixes, roles, URLs dropped)."""
    text = collapse(text)
    text = _BYLINE_PREFIX.sub("", text)
    text = _AFTER_NAMES.split(text, maxsplit=1)[0]
    names = []
    for part in _SPLIT_AUTHORS.split(text):
        part = _BYLINE_PREFIX.sub("", part).strip(" .,:;·•|")
        if not part or part.startswith(("http://", "https://", "@")):
            continue
        words = part.split()
        if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in part):
            continue
        if part.casefold() in AGENCIES:  # "dpa": kept, to be told apart as a credit
            names.append(part)
            continue
        if not all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
            continue
        if part.casefold() in NOT_NAMES:
            continue
        names.append(part)
    return names


def dedupe(values: list[str]) -> list[str]:
    """`values` without case-insensitive repeats, first spelling and order kept."""
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def has_token(value: Any, token: str) -> bool:
    """Whether a (possibly multi-valued) attribute value holds `token`."""
    if isinstance(value, list):
        return token in value
    return isinstance(value, str) and token in value.split()


def read_authors(
    page: PageIndex,
    article: dict[str, Any],
    meta: dict[str, list[str]],
    by_id: dict[str, dict[str, Any]],
    rules: ExtractionRules,
    site_name: str | None = None,
    host: str | None = None,
) -> tuple[list[str], str | None]:
    """(authors, credit): the people named by the most explicit source that names any,
    and the organisation credited (an agency, the site) when no person is."""
    organisations: list[str] = []

    def people(names: list[str], structured: bool) -> list[str]:
        out = []
        for raw in names:
            name = tidy_name(raw)
            kind = name_kind(name, site_name, host, structured)
            if kind is NameKind.PERSON:
                out.append(name)
            elif kind is NameKind.ORGANISATION:
                organisations.append(name)
        return dedupe(out)

    def credit() -> str | None:
        return organisations[0] if organisations else None

    if rules.author_selector:
        found = [collapse(t.get_text(" ")) for t in page.soup.select(rules.author_selector)]
        names = people([n for text in found for n in split_author_names(text)], True)
        if names:
            return names, None
    if article.get("author"):
        persons, orgs = jsonld_names(article["author"], by_id)
        organisations.extend(orgs)
        names = people(persons, True)
        if names:
            return names, None
    for finder, structured in ((lambda: prefixed_names(page, rules.byline_prefixes), False),
                               (lambda: _microdata_names(page), True),
                               (lambda: _meta_names(meta), False),
                               (lambda: _rel_author_names(page), False),
                               (lambda: _hinted_names(page), False)):
        names = people(finder(), structured)
        if names:
            return names, None
    for group in byline_groups(page):  # "By <site>" in the header, "Written by: <person>" below
        names = people(group, False)
        if names:
            return names, None
    return [], credit()


def jsonld_people(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """People's names of a JSON-LD `author` value (organisations and URLs left out)."""
    return jsonld_names(value, by_id)[0]


def jsonld_names(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(people's names, organisations' names) of a JSON-LD `author` value."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    organisations: list[str] = []
    for item in items:
        if isinstance(item, dict) and set(item) <= {"@id"} and item.get("@id") in by_id:
            item = by_id[item["@id"]]
        if isinstance(item, dict):
            name = text_value(item.get("name"))
            if types_of(item) & ORGANIZATION_TYPES:
                if name:
                    organisations.append(name)
                continue
        elif isinstance(item, str):
            name = None if item.startswith(("http://", "https://")) else collapse(item)
        else:
            name = None
        if name:
            names.extend(split_author_names(name))
    return names, organisations


def _microdata_names(page: PageIndex) -> list[str]:
    names = []
    for tag in page.with_attr("itemprop", lambda v: has_token(v, "author")):
        if page.in_ignored_context(tag):
            continue
        inner = next((t for t in page.within(tag)
                      if has_token(t.attrs.get("itemprop"), "name")), None)
        source = inner if inner is not None else tag
        content = source.get("content")
        text = content if isinstance(content, str) and content else source.get_text(" ")
        names.extend(split_author_names(text))
    return names


def _meta_names(meta: dict[str, list[str]]) -> list[str]:
    return [name for key in AUTHOR_META for value in meta.get(key, [])
            for name in split_author_names(value)]


def _rel_author_names(page: PageIndex) -> list[str]:
    names = []
    for tag in page.with_attr("rel", lambda v: has_token(v, "author")):
        if not page.in_ignored_context(tag):
            names.extend(split_author_names(tag.get_text(" ")))
    return names


def _hinted_names(page: PageIndex) -> list[str]:
    """Byline-like elements: a class mentioning author/byline and a short text."""
    for tag in page.with_attr("class"):
        classes = tag.attrs["class"]
        joined = " ".join(classes) if isinstance(classes, list) else str(classes)
        if not AUTHOR_HINTS.search(joined) or page.in_ignored_context(tag):
            continue
        text = collapse(tag.get_text(" "))
        if 0 < len(text) <= 120:
            names = split_author_names(text)
            if names:
                return names
    return []


def prefixed_names(page: PageIndex, prefixes: tuple[str, ...]) -> list[str]:
    """Names after a byline prefix the source uses ("Texto:", "Reportage von"): the rest of
    the string, or the element right after it."""
    if not prefixes:
        return []
    wanted = tuple(p.casefold() for p in prefixes)
    for text in page.strings:
        chunk = collapse(str(text))
        lowered = chunk.casefold()
        prefix = next((p for p in wanted if lowered.startswith(p)), None)
        if prefix is None or len(chunk) > 120:
            continue
        parent = text.parent
        if not isinstance(parent, Tag) or page.in_ignored_context(parent):
            continue
        rest = chunk[len(prefix):].strip(" :")
        if not rest:
            follower = text.find_next_sibling()
            rest = collapse(follower.get_text(" ")) if isinstance(follower, Tag) else ""
        names = split_author_names(rest)
        if names:
            return names
    return []


def byline_names(page: PageIndex) -> list[str]:
    """Names from the first visible byline without markup: "By <a>Name</a>", "Posted: ...
    | by Name"."""
    return next(byline_groups(page), [])


def byline_groups(page: PageIndex) -> Iterator[list[str]]:
    """The names of each visible byline without markup, in page order."""
    for text in page.strings:
        if not BYLINE_TEXT.search(text):
            continue
        parent = text.parent
        if not isinstance(parent, Tag) or parent.name in ("script", "style", "title", "option"):
            continue
        chunk = collapse(str(text))
        if len(chunk) > 80 or page.in_ignored_context(parent):
            continue
        tail = _BYLINE_TAIL.search(chunk)
        if tail:  # the name is the next element: By <a>Name</a>
            follower = text.find_next_sibling()
            if follower is None and collapse(parent.get_text(" ")) == chunk:
                follower = parent.find_next_sibling()  # <span>By </span><a>Name</a>
            if isinstance(follower, Tag) and follower.name in ("a", "span", "strong", "b", "em"):
                names = split_author_names(follower.get_text(" "))
                if names:
                    yield names
            continue
        if _BYLINE_PREFIX.match(chunk):
            names = split_author_names(chunk)
            if names:
                yield names
