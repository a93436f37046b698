"""Article metadata from JSON-LD, OpenGraph/`article:*` meta, microdata, `<title>`, breadcrumbs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from transforms.authors import dedupe, has_token, read_authors
from transforms.datelines import read_dates
from transforms.dates import duration_minutes, plausible_minutes
from transforms.index import PageIndex, class_words
from transforms.jsonld import choose_article_node, read_jsonld, text_value, types_of, url_value
from transforms.rules import READING_TIME_PATTERNS, ExtractionRules
from transforms.text import collapse
from transforms.urls import join_url

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
_CRUMB_SEPARATORS = re.compile(r"\s(?:>|»|›|/|\\|→)\s")
_HOME_CRUMBS = frozenset({"home", "start", "startseite", "accueil", "inicio", "news"})
_CRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs", "crumbs", "crumb"})
_CRUMB_TAGS = frozenset({"nav", "div", "ol", "ul", "p", "font", "span"})
_DIGIT = re.compile(r"\d")
_READING_TIME = tuple(re.compile(p, re.IGNORECASE) for p in READING_TIME_PATTERNS)


@dataclass
class Metadata:
    """What a page says about its article, before the body is read."""

    headline_candidates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    site_name: str | None = None
    image_url: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    reading_time_minutes: int | None = None
    is_paywalled: bool = False
    page_types: set[str] = field(default_factory=set)
    og_type: str | None = None
    article_node: bool = False  # an article-typed JSON-LD node describes the page
    credit: str | None = None  # the organisation credited when no person is
    nodes: list[dict[str, Any]] = field(default_factory=list)  # every JSON-LD node


def read_meta(page: PageIndex) -> dict[str, list[str]]:
    """`<meta>` contents (whitespace collapsed) by lower-cased name/property/itemprop, in
    page order."""
    meta: dict[str, list[str]] = {}
    for tag in page.named("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop")
               or tag.get("http-equiv"))
        content = tag.get("content")
        if content is None:  # some templates write <meta name="author" value="...">
            content = tag.get("value")
        if isinstance(key, list):
            key = " ".join(key)
        value = collapse(content) if isinstance(content, str) else ""
        if key and value:
            meta.setdefault(key.strip().lower(), []).append(value)
    return meta


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        if site_name and parts[-1].strip().casefold() == site_name.casefold():
            return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
        if site_name and parts[0].strip().casefold() == site_name.casefold():
            return parts[-1]
        if len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 4:
            return title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»")
    return title


def _language(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def read_metadata(page: PageIndex, url: str, rules: ExtractionRules) -> Metadata:
    """Everything the page declares about its article (no body text); authors come from
    `authors.py`, dates from `datelines.py`."""
    md = Metadata()
    meta = read_meta(page)
    nodes = read_jsonld(page)
    md.nodes = nodes
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        md.page_types |= types_of(node)
    md.og_type = (_first(meta, "og:type") or "").lower() or None

    canonical = None
    links = [t for t in page.with_attr("rel", lambda v: has_token(v, "canonical"))
             if t.name == "link"]
    href = links[0].get("href") if links else None
    if isinstance(href, str) and href.strip():
        canonical = join_url(url, href)
    canonical = canonical or (join_url(url, m) if (m := _first(meta, "og:url")) else None)
    md.canonical_url = canonical

    chosen = choose_article_node(nodes, url, canonical)
    md.article_node = chosen is not None
    article = chosen or {}
    publisher = article.get("publisher")
    if isinstance(publisher, dict) and set(publisher) <= {"@id"}:
        publisher = by_id.get(publisher.get("@id", ""), publisher)

    # language first: date text parsing needs it
    html = page.first("html")
    md.language = (
        _language(html.get("lang") if isinstance(html, Tag) else None)  # type: ignore[arg-type]
        or _language(text_value(article.get("inLanguage")))
        or _language(_first(meta, "og:locale", "content-language", "language", "dc.language"))
        or _language(rules.language)
    )
    languages = (md.language,) if md.language else None

    md.site_name = (
        _first(meta, "og:site_name", "application-name", "apple-mobile-web-app-title")
        or (text_value(publisher) if publisher else None)
    )
    for node in nodes:
        if md.site_name:
            break
        if types_of(node) & {"website", "newsmediaorganization", "organization"}:
            md.site_name = text_value(node.get("name"))

    title_tag = page.first("title")
    page_title = collapse(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
    if not md.site_name and page_title:
        parts = _TITLE_SEPARATORS.split(page_title)
        if len(parts) > 1 and len(parts[-1].split()) <= 5 and len(parts[0].split()) >= 3:
            md.site_name = parts[-1].strip()
    # title candidates: jsonld headline, og:title, twitter:title, microdata, <title>
    candidates = [
        text_value(article.get("headline")) or text_value(article.get("name")),
        _first(meta, "og:title", "twitter:title", "headline", "title", "dc.title"),
    ]
    micro = page.with_attr("itemprop", lambda v: has_token(v, "headline"))
    if micro:
        content = micro[0].get("content")
        candidates.append(collapse(content if isinstance(content, str) and content
                                   else micro[0].get_text(" ")))
    if page_title:
        candidates.append(page_title)
    md.headline_candidates = [
        _strip_site_suffix(c, md.site_name) for c in candidates if c
    ]

    md.description = (_first(meta, "og:description", "description", "twitter:description")
                      or text_value(article.get("description")))
    md.image_url = _first(meta, "og:image", "og:image:url", "twitter:image") or url_value(
        article.get("image") or article.get("thumbnailUrl"))
    if md.image_url:
        md.image_url = join_url(url, md.image_url)

    section = text_value(article.get("articleSection")) or _first(meta, "article:section",
                                                                    "section", "category")
    md.section = section or breadcrumb_section(page, nodes, md.headline_candidates)
    tags = list(meta.get("article:tag", [])) or list(meta.get("news_keywords", [])[:1])
    keywords = article.get("keywords")
    if not tags and isinstance(keywords, list):
        tags = [k for k in keywords if isinstance(k, str)]
    elif not tags and isinstance(keywords, str):
        tags = [keywords]
    if not tags:
        tagged = page.with_attr("rel", lambda v: has_token(v, "tag"))
        tags = [collapse(a.get_text(" ")) for a in tagged if a.name == "a"]
    md.tags = dedupe([t for tag in tags for t in map(collapse, tag.split(",")) if t])

    md.is_paywalled = _paywalled(article, meta)
    md.reading_time_minutes = duration_minutes(article.get("timeRequired"))

    md.authors, md.credit = read_authors(page, article, meta, by_id, rules, md.site_name,
                                         _host(url))
    md.published_at, md.modified_at, md.date_source = read_dates(
        page, url, article, meta, rules, languages)
    if md.reading_time_minutes is None:
        md.reading_time_minutes = stated_reading_time(page)
    return md


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _paywalled(article: dict[str, Any], meta: dict[str, list[str]]) -> bool:
    free = article.get("isAccessibleForFree")
    if isinstance(free, str):
        free = free.strip().lower() not in ("false", "0", "no")
    if free is False:
        return True
    flag = _first(meta, "article:content_tier", "content_tier", "article:opinion")
    return flag is not None and flag.lower() in ("locked", "metered", "premium")



_HOME_PAGE_CRUMBS = _HOME_CRUMBS | {"home page"}


def breadcrumb_section(
    page: PageIndex, nodes: list[dict[str, Any]], titles: list[str]
) -> str | None:
    """The last breadcrumb before the article itself ("Home > News > Owners" -> Owners)."""
    skip = {t.casefold() for t in titles if t}
    for node in nodes:
        if "breadcrumblist" in types_of(node):
            items = node.get("itemListElement")
            found = [text_value(item.get("name")) or text_value(item.get("item"))
                     for item in (items if isinstance(items, list) else [])
                     if isinstance(item, dict)]
            names = [n for n in found if n and n.casefold() not in skip]
            if len(names) >= 2 and names[-1].casefold() not in _HOME_CRUMBS:
                return names[-1]
    for tag in page.tags:
        # cheap tests first: a trail has two links, and a class naming it or a first
        # link going home (most containers fail here, before their text is joined)
        if tag.name not in _CRUMB_TAGS or page.count_within(tag, ("a",)) < 2:
            continue
        named = bool(class_words(tag) & _CRUMB_WORDS)
        first = next(page.within(tag, ("a",)))
        if not named and collapse(first.get_text(" ")).casefold() not in _HOME_PAGE_CRUMBS:
            continue
        text = page.short_text(tag, 160)
        if text is None:
            continue
        links = [collapse(a.get_text(" ")) for a in page.within(tag, ("a",))]
        looks_like = len(links) >= 2 and len(_CRUMB_SEPARATORS.findall(f" {text} ")) >= 1 \
            and links[0].casefold() in _HOME_PAGE_CRUMBS
        if named or looks_like:
            names = [n for n in links if n and n.casefold() not in skip]
            if len(names) >= 2 and names[-1].casefold() not in _HOME_CRUMBS:
                return names[-1]
    return None


def stated_reading_time(page: PageIndex) -> int | None:
    """The reading time the page itself states ("4 Min Read", "Lesezeit: 3 Min.")."""
    for text in page.strings:
        if not _DIGIT.search(text):
            continue
        chunk = collapse(text)
        if len(chunk) > 60:
            continue
        parent = text.parent
        if isinstance(parent, Tag) and parent.name in ("script", "style", "title"):
            continue
        context = page.short_text(parent, 80) if isinstance(parent, Tag) else None
        for pattern in _READING_TIME:
            match = pattern.search(context if context is not None else chunk)
            if match:
                if isinstance(parent, Tag) and page.in_ignored_context(parent):
                    break
                digits = match.group(1)
                return plausible_minutes(int(digits)) if len(digits) <= 6 else None
    return None
