"""`extract_article`: raw page (bytes or text) + URL -> `Article`, or `PageRejected`."""

from __future__ import annotations

import math
from typing import Any

from bs4 import BeautifulSoup, Tag
from w3lib.encoding import html_to_unicode

from transforms.article import Article, PageRejected, RejectReason
from transforms.content import (
    BR,
    Trace,
    filter_blocks,
    find_root,
    render_blocks,
    strip_boilerplate,
)
from transforms.metadata import (
    GALLERY_TYPES,
    INDEX_TYPES,
    VIDEO_TYPES,
    Metadata,
    read_metadata,
)
from transforms.rules import DEFAULT_RULES, WORDS_PER_MINUTE, ExtractionRules
from transforms.text import collapse, count_words, strip_control, tokens
from transforms.urls import canonicalize_url

# Pages beyond this many characters are cut: no article needs more, and it bounds the
# time one hostile page can take.
MAX_CHARS = 3_000_000
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
               "text/xml", "application/octet-stream")


def decode_page(data: str | bytes, content_type: str | None = None) -> str:
    """Unicode text of a page: BOM, then HTTP charset, then `<meta charset>`, then a
    UTF-8/cp1252 guess (w3lib). Raises `PageRejected(NOT_HTML)` for binary content."""
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime and not mime.startswith(_HTML_TYPES):
            raise PageRejected(RejectReason.NOT_HTML, f"content type {mime}")
    if isinstance(data, bytes):
        head = data[:1024].lstrip()
        if head.startswith(_BINARY_MAGIC) or head.count(b"\x00") > 64:
            raise PageRejected(RejectReason.NOT_HTML, "binary content")
        _, text = html_to_unicode(content_type, data[: MAX_CHARS * 2])
    else:
        text = data
    text = strip_control(text[:MAX_CHARS]).replace(BR, " ")
    if "<" not in text[:4096]:
        raise PageRejected(RejectReason.NOT_HTML, "no markup")
    return text


def extract_article(
    html: str | bytes,
    url: str,
    rules: ExtractionRules | None = None,
    *,
    content_type: str | None = None,
) -> Article:
    """Clean article of a fetched page; raises `PageRejected` with a typed reason."""
    article, _ = _extract(html, url, rules or DEFAULT_RULES, content_type, Trace())
    return article


def explain_article(
    html: str | bytes,
    url: str,
    rules: ExtractionRules | None = None,
    *,
    content_type: str | None = None,
) -> dict[str, Any]:
    """What `extract_article` returns plus which rule removed which block."""
    trace = Trace(enabled=True)
    try:
        article, md = _extract(html, url, rules or DEFAULT_RULES, content_type, trace)
        result: dict[str, Any] = {"article": article.to_dict(), "date_source": md.date_source}
    except PageRejected as rejected:
        result = {"rejected": rejected.reason.value, "detail": rejected.detail}
    result.update({"root": trace.root, "root_rule": trace.root_rule, "removed": trace.removed})
    return result


def _extract(
    html: str | bytes,
    url: str,
    rules: ExtractionRules,
    content_type: str | None,
    trace: Trace,
) -> tuple[Article, Metadata]:
    text = decode_page(html, content_type)
    try:
        soup = BeautifulSoup(text, "lxml")
        return _extract_soup(soup, url, rules, trace)
    except RecursionError as exc:
        raise PageRejected(RejectReason.UNPARSABLE, "markup nested too deeply") from exc


def _extract_soup(
    soup: BeautifulSoup, url: str, rules: ExtractionRules, trace: Trace
) -> tuple[Article, Metadata]:
    md = read_metadata(soup, url, rules)
    title = choose_title(soup, md)
    article_tags = soup.find_all("article")
    root = find_root(soup, rules, trace)
    scope = root if root is not None else (soup.body or soup)
    images = len((soup.body or soup).find_all(["img", "amp-img"]))
    linked_headings = sum(1 for h in scope.find_all(["h2", "h3", "h4"]) if h.find("a"))
    body = ""
    if root is not None:
        strip_boilerplate(root, rules, trace)
        labels = [md.section or "", *md.tags]
        blocks = list(filter_blocks(render_blocks(root), title, md.authors, trace, labels))
        body = "\n\n".join(block.text for block in blocks)
    words = count_words(body)

    _reject_non_articles(md, url, title, words, images, linked_headings, article_tags, rules)
    if not title:
        raise PageRejected(RejectReason.EMPTY, "no title")

    canonical = canonicalize_url(md.canonical_url or url)
    reading = md.reading_time_minutes or max(1, math.ceil(words / WORDS_PER_MINUTE))
    article = Article(
        url=url,
        canonical_url=canonical,
        title=title,
        body=body,
        description=md.description,
        authors=md.authors,
        published_at=md.published_at,
        modified_at=md.modified_at,
        date_source=md.date_source,
        language=md.language,
        section=md.section,
        tags=md.tags,
        site_name=md.site_name,
        image_url=md.image_url,
        word_count=words,
        reading_time_minutes=reading,
        is_paywalled=md.is_paywalled,
    )
    return article, md


def _reject_non_articles(
    md: Metadata,
    url: str,
    title: str | None,
    words: int,
    images: int,
    linked_headings: int,
    article_tags: list[Tag],
    rules: ExtractionRules,
) -> None:
    lowered = f"{url} {title or ''}".lower()
    gallery_words = any(w in lowered for w in ("gallery", "galerie", "photos", "in pictures",
                                               "pictures:", "bildergalerie", "fotos"))
    is_gallery = bool(md.page_types & GALLERY_TYPES) or "gallery" in (md.og_type or "")
    if (is_gallery or (gallery_words and images >= 6)) and words < 250:
        raise PageRejected(RejectReason.GALLERY, f"{images} images, {words} words")
    is_video = bool(md.page_types & VIDEO_TYPES) or (md.og_type or "").startswith("video")
    if is_video and words < 150:
        raise PageRejected(RejectReason.VIDEO, f"video page, {words} words")
    teaser_articles = len(article_tags) >= 5 and _no_dominant(article_tags)
    if (md.page_types & INDEX_TYPES and not md.published_at) or teaser_articles or (
        linked_headings >= 5 and words < 60 * linked_headings
    ):
        raise PageRejected(RejectReason.INDEX,
                           f"{len(article_tags)} teasers, {linked_headings} linked headings")
    if words == 0:
        raise PageRejected(RejectReason.EMPTY, "no body text")
    if words < rules.min_words:
        raise PageRejected(RejectReason.TOO_SHORT, f"{words} words < {rules.min_words}")


def _no_dominant(article_tags: list[Tag]) -> bool:
    sizes = sorted((len(t.get_text()) for t in article_tags), reverse=True)
    return sizes[0] < 0.5 * sum(sizes)


def choose_title(soup: BeautifulSoup, md: Metadata) -> str | None:
    """The headline a reader sees: the `<h1>` agreeing with the declared headline, else
    the declared headline (JSON-LD, OpenGraph, microdata, `<title>` without site suffix)."""
    candidates = [c for c in md.headline_candidates if c]
    keys = [set(tokens(c)) for c in candidates]
    h1s = [collapse(h.get_text(" ")) for h in soup.find_all("h1")]
    for h1 in h1s:
        h1_tokens = set(tokens(h1))
        if len(h1_tokens) < 2:
            continue
        for key in keys:
            overlap = len(h1_tokens & key) / max(1, min(len(h1_tokens), len(key)))
            if overlap >= 0.8:
                return h1
    if candidates:
        return candidates[0]
    for h1 in h1s:
        if len(h1.split()) >= 3:
            return h1
    return None
