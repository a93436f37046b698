"""JSON-LD on a page: lenient parsing, flattened nodes, typed values, the article's own node."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from transforms.index import PageIndex
from transforms.text import collapse, strip_control

ARTICLE_TYPES = frozenset({
    "newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "techarticle", "report", "socialmediaposting", "review",
})
GALLERY_TYPES = frozenset({"imagegallery", "mediagallery"})
VIDEO_TYPES = frozenset({"videoobject", "videogallery"})
INDEX_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage"})
ORGANIZATION_TYPES = frozenset({"organization", "newsmediaorganization", "corporation"})
_MAX_DEPTH = 8


def loads_lenient(text: str) -> Any:
    """JSON as CMSs print it: wrapped in comments/CDATA, trailing commas, objects run
    together. None when it still does not parse."""
    text = text.strip()
    for prefix, suffix in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        if text.startswith(prefix) and text.endswith(suffix):
            text = text[len(prefix):-len(suffix)].strip()
    try:
        return json.loads(text, strict=False)
    except RecursionError:  # hostile nesting: the page may still hold an article
        return None
    except ValueError:  # JSONDecodeError, or a number beyond int's digit limit
        pass
    repaired = re.sub(r",\s*([}\]])", r"\1", text)  # trailing commas
    repaired = re.sub(r"}\s*{", "},{", repaired)  # concatenated objects
    if repaired.startswith("{") and "},{" in repaired and not repaired.startswith("[{"):
        repaired = f"[{repaired}]"
    try:
        return json.loads(repaired, strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart"):
            child = node.get(key)
            if isinstance(child, (dict, list)):
                yield from _walk(child, depth + 1)


def types_of(node: dict[str, Any]) -> set[str]:
    """Lower-cased `@type` names of a node (`https://schema.org/NewsArticle` -> newsarticle)."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def read_jsonld(page: PageIndex) -> list[dict[str, Any]]:
    """Every JSON-LD node on the page (lists, `@graph` and nesting flattened)."""
    nodes: list[dict[str, Any]] = []
    for script in page.named("script"):
        kind = script.get("type")
        if not isinstance(kind, str) or "ld+json" not in kind.lower():
            continue
        data = loads_lenient(script.get_text())
        if data is not None:
            nodes.extend(_walk(data))
    return nodes


def text_value(value: Any) -> str | None:
    """A JSON-LD value as text: a string, or the name/@value of an object, or the first item."""
    if isinstance(value, str):
        return collapse(value) or None
    if isinstance(value, dict):
        for key in ("name", "@value", "headline", "text"):
            if isinstance(value.get(key), str):
                return collapse(value[key]) or None
    if isinstance(value, list) and value:
        return text_value(value[0])
    return None


def url_value(value: Any) -> str | None:
    """A JSON-LD value as a URL: a string, or the url/contentUrl/@id of an object."""
    if isinstance(value, str):
        return strip_control(value).strip() or None
    if isinstance(value, dict):
        return url_value(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return url_value(value[0])
    return None


def choose_article_node(
    nodes: list[dict[str, Any]], url: str, canonical: str | None
) -> dict[str, Any] | None:
    """The node describing this page's article: the one whose URL is the page's, else the
    richest article-typed node."""
    articles = [n for n in nodes if types_of(n) & ARTICLE_TYPES]
    if not articles:
        return None
    wanted = {u.rstrip("/") for u in (url, canonical) if u}
    for node in articles:
        own = url_value(node.get("url")) or url_value(node.get("mainEntityOfPage"))
        if own and own.rstrip("/") in wanted:
            return node
    return max(articles, key=lambda n: len(n))
