"""Article metadata from JSON-LD, OpenGraph/`article:*` meta, microdata, `<time>`, bylines, URL.

Order of trust for dates (first that parses wins, `date_source` names it):
jsonld > meta > microdata > time > text (byline) > url > htmldate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from transforms.dates import (
    duration_minutes,
    parse_datetime,
    parse_human_date,
    search_human_date,
    url_date,
)
from transforms.rules import BYLINE_PREFIXES, NOT_NAMES, READING_TIME_PATTERNS, ExtractionRules
from transforms.text import collapse, words_of

ARTICLE_TYPES = frozenset({
    "newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "techarticle", "report", "socialmediaposting", "review",
})
GALLERY_TYPES = frozenset({"imagegallery", "mediagallery"})
VIDEO_TYPES = frozenset({"videoobject", "videogallery"})
INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})

PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished",
                  "publish-date", "publish_date", "pubdate", "parsely-pub-date",
                  "sailthru.date", "dc.date.issued", "dc.date", "dcterms.created", "date",
                  "article.published", "cxenseparse:recs:publishtime")
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "og:updated_time",
                 "datemodified", "dcterms.modified", "last-modified", "article.updated")
DATE_HINT_WORDS = ("date", "time", "posted", "published", "submitted", "dateline", "byline",
                   "meta", "pubdate", "timestamp", "created", "datum", "fecha")
DATE_CUES = ("posted", "published", "submitted", "updated", "veröffentlicht", "publié",
             "publicado", "date:", "datum", "fecha")
IGNORE_CONTEXT_WORDS = frozenset({"comment", "comments", "related", "sidebar", "widget",
                                  "footer", "respond", "reply", "popular", "recommended",
                                  "trending", "teaser"})
AUTHOR_HINTS = re.compile(r"(^|[-_ ])(author|byline|writer|autor|auteur|reporter|"
                          r"contributor|submitted|creator)s?([-_ ]|$)", re.IGNORECASE)
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bmit\b|\|)\s*",
                            re.IGNORECASE)
_BYLINE_PREFIX = re.compile(rf"^\s*{BYLINE_PREFIXES}\b\s*:?\s*", re.IGNORECASE)
_BYLINE_TAIL = re.compile(rf"(?:^|[|·•,]\s*|\s)({BYLINE_PREFIXES})\s*:?\s*$", re.IGNORECASE)
_UPDATED_CUES = ("last updated", "updated", "aktualisiert", "zuletzt aktualisiert", "mis à jour",
                 "actualizado", "modified")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")


@dataclass
class Metadata:
    """What a page says about its article, before the body is read."""

    title: str | None = None
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


# ---------------------------------------------------------------- JSON-LD


def _loads_lenient(text: str) -> Any:
    text = text.strip()
    for prefix, suffix in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        if text.startswith(prefix) and text.endswith(suffix):
            text = text[len(prefix):-len(suffix)].strip()
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", text)  # trailing commas
    repaired = re.sub(r"}\s*{", "},{", repaired)  # concatenated objects
    if repaired.startswith("{") and "},{" in repaired and not repaired.startswith("[{"):
        repaired = f"[{repaired}]"
    try:
        return json.loads(repaired, strict=False)
    except json.JSONDecodeError:
        return None


def _walk_jsonld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            child = node.get(key)
            if isinstance(child, (dict, list)):
                yield from _walk_jsonld(child, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def read_jsonld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Every JSON-LD node on the page (lists, `@graph` and nesting flattened)."""
    nodes: list[dict[str, Any]] = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)}):
        data = _loads_lenient(script.string or script.get_text() or "")
        if data is not None:
            nodes.extend(_walk_jsonld(data))
    return nodes


def _text_value(value: Any) -> str | None:
    if isinstance(value, str):
        return collapse(value) or None
    if isinstance(value, dict):
        for key in ("name", "@value", "headline", "text"):
            if isinstance(value.get(key), str):
                return collapse(value[key]) or None
    if isinstance(value, list) and value:
        return _text_value(value[0])
    return None


def _url_value(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _url_value(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return _url_value(value[0])
    return None


def _jsonld_people(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and set(item) <= {"@id"} and item.get("@id") in by_id:
            item = by_id[item["@id"]]
        if isinstance(item, dict):
            if _types(item) & {"organization", "newsmediaorganization", "corporation"}:
                continue
            name = _text_value(item.get("name"))
        elif isinstance(item, str):
            name = None if item.startswith(("http://", "https://")) else collapse(item)
        else:
            name = None
        if name:
            names.extend(split_author_names(name))
    return names


def _choose_article_node(
    nodes: list[dict[str, Any]], url: str, canonical: str | None
) -> dict[str, Any] | None:
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if not articles:
        return None
    wanted = {u.rstrip("/") for u in (url, canonical) if u}
    for node in articles:
        own = _url_value(node.get("url")) or _url_value(node.get("mainEntityOfPage"))
        if own and own.rstrip("/") in wanted:
            return node
    return max(articles, key=lambda n: len(n))


# ---------------------------------------------------------------- meta tags


def read_meta(soup: BeautifulSoup) -> dict[str, list[str]]:
    """`<meta>` contents by lower-cased name/property/itemprop, in page order."""
    meta: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop")
               or tag.get("http-equiv"))
        content = tag.get("content")
        if isinstance(key, list):
            key = " ".join(key)
        if key and isinstance(content, str) and content.strip():
            meta.setdefault(key.strip().lower(), []).append(content.strip())
    return meta


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


# ---------------------------------------------------------------- helpers


def split_author_names(text: str) -> list[str]:
    """'By Ana Ruiz and Tom Lee' -> ['Ana Ruiz', 'Tom Lee'] (prefixes, roles, URLs dropped)."""
    text = collapse(text)
    text = _BYLINE_PREFIX.sub("", text)
    text = re.split(r"\s+(?:on|am|le|el|updated|aktualisiert|\||—|–|-)\s+", text, maxsplit=1)[0]
    names = []
    for part in _SPLIT_AUTHORS.split(text):
        part = _BYLINE_PREFIX.sub("", part).strip(" .,:;·•|")
        if not part or part.startswith(("http://", "https://", "@")):
            continue
        words = part.split()
        if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in part):
            continue
        if not all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
            continue
        if part.casefold() in NOT_NAMES:
            continue
        names.append(part)
    return names


_NAME_PARTICLES = frozenset({"de", "van", "von", "der", "den", "da", "di", "du", "la", "le",
                             "del", "dos", "bin", "al", "ten", "ter", "y"})


def dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _class_words(tag: Tag) -> set[str]:
    raw = tag.get("class") or []
    names = " ".join(raw) if isinstance(raw, list) else str(raw)
    ident = tag.get("id")
    if isinstance(ident, str):
        names += " " + ident
    return set(words_of(names))


def _in_ignored_context(tag: Tag) -> bool:
    """Inside a sidebar, related list, comment section, site footer or navigation. A
    container holding the page's <h1> is the article's own (layout classes such as
    'is-sidebar-right' on the main column do not make it a sidebar)."""
    for parent in tag.parents:
        if parent.name == "nav":
            return True
        if parent.name == "aside" and parent.find("h1") is None:
            return True
        if parent.name == "footer" and parent.find_parent("article") is None:
            return True
        if _class_words(parent) & IGNORE_CONTEXT_WORDS and parent.find("h1") is None:
            return True
    return False


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


# ---------------------------------------------------------------- main entry


def read_metadata(soup: BeautifulSoup, url: str, rules: ExtractionRules) -> Metadata:
    """Everything the page declares about its article (no body text)."""
    md = Metadata()
    meta = read_meta(soup)
    nodes = read_jsonld(soup)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        md.page_types |= _types(node)
    md.og_type = (_first(meta, "og:type") or "").lower() or None

    canonical = None
    link = soup.find("link", rel=lambda v: v is not None and "canonical" in v)
    if isinstance(link, Tag) and isinstance(link.get("href"), str) and link["href"].strip():
        canonical = urljoin(url, link["href"].strip())
    canonical = canonical or (urljoin(url, m) if (m := _first(meta, "og:url")) else None)
    md.canonical_url = canonical

    article = _choose_article_node(nodes, url, canonical) or {}
    publisher = article.get("publisher")
    if isinstance(publisher, dict) and set(publisher) <= {"@id"}:
        publisher = by_id.get(publisher.get("@id", ""), publisher)

    # language first: date text parsing needs it
    html = soup.find("html")
    md.language = (
        _language(html.get("lang") if isinstance(html, Tag) else None)  # type: ignore[arg-type]
        or _language(_text_value(article.get("inLanguage")))
        or _language(_first(meta, "og:locale", "content-language", "language", "dc.language"))
        or _language(rules.language)
    )
    languages = (md.language,) if md.language else None

    md.site_name = (
        _first(meta, "og:site_name", "application-name", "apple-mobile-web-app-title")
        or (_text_value(publisher) if publisher else None)
    )
    for node in nodes:
        if md.site_name:
            break
        if _types(node) & {"website", "newsmediaorganization", "organization"}:
            md.site_name = _text_value(node.get("name"))

    title_tag = soup.find("title")
    page_title = collapse(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
    if not md.site_name and page_title:
        parts = _TITLE_SEPARATORS.split(page_title)
        if len(parts) > 1 and len(parts[-1].split()) <= 5 and len(parts[0].split()) >= 3:
            md.site_name = parts[-1].strip()
    # title candidates: jsonld headline, og:title, twitter:title, microdata, <title>
    candidates = [
        _text_value(article.get("headline")) or _text_value(article.get("name")),
        _first(meta, "og:title", "twitter:title", "headline", "title", "dc.title"),
    ]
    micro = soup.find(attrs={"itemprop": "headline"})
    if isinstance(micro, Tag):
        candidates.append(collapse(micro.get("content") or micro.get_text(" ")))  # type: ignore[arg-type]
    if page_title:
        candidates.append(page_title)
    md.headline_candidates = [
        _strip_site_suffix(c, md.site_name) for c in candidates if c
    ]

    md.description = (_first(meta, "og:description", "description", "twitter:description")
                      or _text_value(article.get("description")))
    md.image_url = _first(meta, "og:image", "og:image:url", "twitter:image") or _url_value(
        article.get("image") or article.get("thumbnailUrl"))
    if md.image_url:
        md.image_url = urljoin(url, md.image_url)

    section = _text_value(article.get("articleSection")) or _first(meta, "article:section",
                                                                    "section", "category")
    md.section = section or breadcrumb_section(soup, nodes, md.headline_candidates)
    tags = list(meta.get("article:tag", [])) or list(meta.get("news_keywords", [])[:1])
    keywords = article.get("keywords")
    if not tags and isinstance(keywords, list):
        tags = [k for k in keywords if isinstance(k, str)]
    elif not tags and isinstance(keywords, str):
        tags = [keywords]
    if not tags:
        tags = [collapse(a.get_text(" ")) for a in soup.find_all("a", rel="tag")]
    md.tags = dedupe([t.strip() for tag in tags for t in tag.split(",") if t.strip()])

    md.is_paywalled = _paywalled(article, meta)
    md.reading_time_minutes = duration_minutes(article.get("timeRequired"))

    md.authors = _authors(soup, article, meta, by_id, rules)
    _dates(md, soup, url, article, meta, rules, languages)
    if md.reading_time_minutes is None:
        md.reading_time_minutes = stated_reading_time(soup)
    return md


_CRUMB_SEPARATORS = re.compile(r"\s(?:>|»|›|/|\\|→)\s")


def breadcrumb_section(
    soup: BeautifulSoup, nodes: list[dict[str, Any]], titles: list[str]
) -> str | None:
    """The last breadcrumb before the article itself ("Home > News > Owners" -> Owners)."""
    home = {"home", "start", "startseite", "accueil", "inicio", "news"}
    skip = {t.casefold() for t in titles if t}
    for node in nodes:
        if "breadcrumblist" in _types(node):
            items = node.get("itemListElement")
            names = []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    names.append(_text_value(item.get("name")) or _text_value(item.get("item")))
            names = [n for n in names if n and n.casefold() not in skip]
            if len(names) >= 2 and names[-1].casefold() not in home:
                return names[-1]
    for tag in soup.find_all(["nav", "div", "ol", "ul", "p", "font", "span"]):
        words = _class_words(tag)
        text = collapse(tag.get_text(" "))
        if len(text) > 160:
            continue
        links = [collapse(a.get_text(" ")) for a in tag.find_all("a")]
        crumbs = {"breadcrumb", "breadcrumbs", "crumbs", "crumb"}
        looks_like = len(links) >= 2 and len(_CRUMB_SEPARATORS.findall(f" {text} ")) >= 1 \
            and links[0].casefold() in home | {"home page"}
        if words & crumbs or looks_like:
            names = [n for n in links if n and n.casefold() not in skip]
            if len(names) >= 2 and names[-1].casefold() not in home:
                return names[-1]
    return None


def _paywalled(article: dict[str, Any], meta: dict[str, list[str]]) -> bool:
    free = article.get("isAccessibleForFree")
    if isinstance(free, str):
        free = free.strip().lower() not in ("false", "0", "no")
    if free is False:
        return True
    flag = _first(meta, "article:content_tier", "content_tier", "article:opinion")
    return flag is not None and flag.lower() in ("locked", "metered", "premium")


def _authors(
    soup: BeautifulSoup,
    article: dict[str, Any],
    meta: dict[str, list[str]],
    by_id: dict[str, dict[str, Any]],
    rules: ExtractionRules,
) -> list[str]:
    if rules.author_selector:
        found = [collapse(t.get_text(" ")) for t in soup.select(rules.author_selector)]
        names = [n for text in found for n in split_author_names(text)]
        if names:
            return dedupe(names)
    if article.get("author"):
        names = _jsonld_people(article["author"], by_id)
        if names:
            return dedupe(names)
    # microdata / RDFa
    names = []
    for tag in soup.find_all(attrs={"itemprop": "author"}):
        if _in_ignored_context(tag):
            continue
        inner = tag.find(attrs={"itemprop": "name"})
        source = inner if isinstance(inner, Tag) else tag
        text = source.get("content") or source.get_text(" ")
        names.extend(split_author_names(str(text)))
    if names:
        return dedupe(names)
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "byl"):
        for value in meta.get(key, []):
            names.extend(split_author_names(value))
    if names:
        return dedupe(names)
    for tag in soup.find_all(attrs={"rel": "author"}):
        if isinstance(tag, Tag) and not _in_ignored_context(tag):
            names.extend(split_author_names(tag.get_text(" ")))
    if names:
        return dedupe(names)
    # byline-like elements: class/id mentioning author/byline, short text
    for tag in soup.find_all(True, attrs={"class": AUTHOR_HINTS}):
        if _in_ignored_context(tag):
            continue
        text = collapse(tag.get_text(" "))
        if 0 < len(text) <= 120:
            names.extend(split_author_names(text))
        if names:
            break
    if not names:
        names = byline_names(soup)
    return dedupe(names)


def byline_names(soup: BeautifulSoup) -> list[str]:
    """Names from visible bylines without markup: "By <a>Name</a>", "Posted: ... | by Name"."""
    for text in soup.find_all(string=re.compile(rf"\b{BYLINE_PREFIXES}\b", re.IGNORECASE)):
        parent = text.parent
        if not isinstance(parent, Tag) or parent.name in ("script", "style", "title", "option"):
            continue
        chunk = collapse(str(text))
        if len(chunk) > 80 or _in_ignored_context(parent):
            continue
        tail = _BYLINE_TAIL.search(chunk)
        if tail:  # the name is the next element: By <a>Name</a>
            follower = text.find_next_sibling()
            if isinstance(follower, Tag) and follower.name in ("a", "span", "strong", "b", "em"):
                names = split_author_names(follower.get_text(" "))
                if names:
                    return names
            continue
        if _BYLINE_PREFIX.match(chunk):
            names = split_author_names(chunk)
            if names:
                return names
    return []


def _dates(
    md: Metadata,
    soup: BeautifulSoup,
    url: str,
    article: dict[str, Any],
    meta: dict[str, list[str]],
    rules: ExtractionRules,
    languages: tuple[str, ...] | None,
) -> None:
    tz = rules.timezone
    published = modified = None
    source = None
    modified_from_time = False

    def attempt(value: Any, name: str) -> None:
        nonlocal published, source
        if published is None and value:
            parsed = parse_datetime(_text_value(value), tz, languages)
            if parsed is not None:
                published, source = parsed, name

    if rules.date_selector:
        for tag in soup.select(rules.date_selector):
            attempt(tag.get("datetime") or tag.get("content") or tag.get_text(" "), "selector")
    attempt(article.get("datePublished") or article.get("dateCreated"), "jsonld")
    modified = parse_datetime(_text_value(article.get("dateModified")), tz, languages)
    for key in PUBLISHED_META:
        for value in meta.get(key, []):
            attempt(value, "meta")
    if modified is None:
        for key in MODIFIED_META:
            if meta.get(key):
                modified = parse_datetime(meta[key][0], tz, languages)
                break
    if published is None:
        for prop in ("datePublished", "dateCreated"):
            for tag in soup.find_all(attrs={"itemprop": prop}):
                attempt(tag.get("content") or tag.get("datetime") or tag.get_text(" "),
                        "microdata")
        for tag in soup.find_all(attrs={"property": re.compile(
                r"(schema:|dc:|dcterms:)?(datePublished|dateCreated|date|created)$")}):
            attempt(tag.get("content") or tag.get("datetime"), "microdata")
    if published is None or modified is None:
        for tag in soup.find_all("time"):
            if _in_ignored_context(tag):
                continue
            words = _class_words(tag)
            value = tag.get("datetime") or tag.get_text(" ")
            if words & {"updated", "modified"} and "published" not in words:
                if modified is None:
                    modified = parse_datetime(value, tz, languages)
                    modified_from_time = True
                continue
            attempt(value, "time")
    if published is None:
        published, source = _byline_date(soup, tz, languages) or (None, None)
    if published is None and (found := url_date(url)) is not None:
        published, source = found, "url"
    if published is None:
        published = _htmldate(soup, url)
        source = "htmldate" if published else None
    if modified is None and source in ("text", "url", "htmldate"):
        modified = _updated_text_date(soup, tz, languages)
    if modified is not None and published is not None and (
            modified < published or (modified_from_time and modified == published)):
        modified = None  # a theme's "updated" <time> that only repeats the publication
    md.published_at, md.modified_at, md.date_source = published, modified, source


def _byline_date(
    soup: BeautifulSoup, tz: str | None, languages: tuple[str, ...] | None
) -> tuple[datetime, str] | None:
    """A date written in the page's byline/dateline ("Posted: March 4, 2026")."""
    hints = set(DATE_HINT_WORDS)
    candidates: list[Tag] = []
    for tag in soup.find_all(["span", "div", "p", "small", "td", "font", "em", "li", "b",
                              "strong", "time"]):
        if not _class_words(tag) & hints:
            first = next(tag.stripped_strings, "").lower()
            if not first.startswith(DATE_CUES):
                continue
        candidates.append(tag)
    candidates.extend(_byline_containers(soup))
    for tag in candidates:
        text = collapse(tag.get_text(" "))
        if not 6 <= len(text) <= 200 or _in_ignored_context(tag):
            continue
        if text.lower().startswith(_UPDATED_CUES):
            continue
        for piece in (text, *tag.stripped_strings):
            piece = collapse(piece).strip(" :|,")
            if piece.lower().startswith(_UPDATED_CUES):
                continue
            found = parse_human_date(_strip_cue(piece), tz, languages)
            if found is not None:
                return found, "text"
        found = search_human_date(text, tz, languages)
        if found is not None:
            return found, "text"
    return None


def _strip_cue(text: str) -> str:
    return re.sub(r"^(posted|published|submitted|date|datum|fecha|veröffentlicht|publié le|"
                  r"publicado el|publicado)\s*(on|am|le|el)?\s*:?\s*", "", text,
                  flags=re.IGNORECASE)


def _byline_containers(soup: BeautifulSoup) -> list[Tag]:
    """The parent and grandparent of each visible "By ..." string: where bylines keep the
    date when no markup says so."""
    found: list[Tag] = []
    pattern = re.compile(rf"(^|\|)\s*{BYLINE_PREFIXES}\b", re.IGNORECASE)
    for text in soup.find_all(string=pattern):
        parent = text.parent
        for _ in range(2):
            if not isinstance(parent, Tag) or parent.name in ("body", "html", "script", "style"):
                break
            found.append(parent)
            parent = parent.parent
    return found


def _updated_text_date(
    soup: BeautifulSoup, tz: str | None, languages: tuple[str, ...] | None
) -> datetime | None:
    """A modification date written as text: "Last updated: 06.03.2026"."""
    for text in soup.find_all(string=re.compile(r"(updated|aktualisiert|mis à jour|actualizado)",
                                                re.IGNORECASE)):
        chunk = collapse(str(text))
        parent = text.parent
        if len(chunk) > 80 or not isinstance(parent, Tag) or _in_ignored_context(parent):
            continue
        lowered = chunk.lower()
        for cue in _UPDATED_CUES:
            if lowered.startswith(cue):
                rest = chunk[len(cue):].strip(" :")
                if not any(ch.isdigit() for ch in rest) and isinstance(parent, Tag):
                    rest = collapse(parent.get_text(" "))[len(cue):].strip(" :")
                found = parse_human_date(rest, tz, languages)
                if found is not None:
                    return found
    return None


def _htmldate(soup: BeautifulSoup, url: str) -> datetime | None:
    from htmldate import find_date

    try:
        found = find_date(str(soup), url=url, original_date=True, extensive_search=False,
                          outputformat="%Y-%m-%dT%H:%M:%S")
    except (ValueError, TypeError):
        return None
    return parse_datetime(found) if found else None


def stated_reading_time(soup: BeautifulSoup) -> int | None:
    """The reading time the page itself states ("4 Min Read", "Lesezeit: 3 Min.")."""
    patterns = [re.compile(p, re.IGNORECASE) for p in READING_TIME_PATTERNS]
    for text in soup.find_all(string=re.compile(r"\d")):
        chunk = collapse(str(text))
        if len(chunk) > 60:
            continue
        parent = text.parent
        if isinstance(parent, Tag) and (parent.name in ("script", "style", "title")
                                        or _in_ignored_context(parent)):
            continue
        context = collapse(parent.get_text(" ")) if isinstance(parent, Tag) else chunk
        for pattern in patterns:
            match = pattern.search(context if len(context) <= 80 else chunk)
            if match:
                return int(match.group(1))
    return None
