"""`extract_article`: raw page (bytes or text) + URL -> `Article`, or `PageRejected`."""

from __future__ import annotations

import math
from typing import Any

from transforms.article import Article, PageRejected, RejectReason
from transforms.charset import decode_page
from transforms.content import (
    BR,
    Trace,
    filter_blocks,
    find_root,
    render_blocks,
    strip_boilerplate,
)
from transforms.index import PageIndex
from transforms.jsonld import GALLERY_TYPES, INDEX_TYPES, VIDEO_TYPES
from transforms.metadata import Metadata, read_metadata
from transforms.rules import DEFAULT_RULES, WORDS_PER_MINUTE, ExtractionRules
from transforms.soup import collector_paused, parse_page
from transforms.text import collapse, count_words, strip_control, tokens
from transforms.urls import canonical_or_none, trusted_canonical


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
    text = decode_page(html, content_type).replace(BR, " ")  # BR stands for <br> later
    try:
        with collector_paused():
            return _extract_page(parse_page(text), url, rules, trace)
    except RecursionError as exc:
        raise PageRejected(RejectReason.UNPARSABLE, "markup nested too deeply") from exc


def _extract_page(
    page: PageIndex, url: str, rules: ExtractionRules, trace: Trace
) -> tuple[Article, Metadata]:
    soup = page.soup
    md = read_metadata(page, url, rules)
    title = choose_title(page, md, rules)
    article_tags = page.named("article")
    root = find_root(page, rules, trace)
    body_tag = page.first("body") or soup
    scope = root if root is not None else body_tag
    images = sum(1 for _ in page.within(body_tag, ("img", "amp-img")))
    linked_headings = sum(1 for h in page.within(scope, ("h2", "h3", "h4"))
                          if page.count_within(h, ("a",)))
    body = ""
    if root is not None:
        strip_boilerplate(root, page, rules, trace)
        labels = [md.section or "", *md.tags]
        blocks = list(filter_blocks(render_blocks(root), title, md.authors, trace, labels))
        body = "\n\n".join(block.text for block in blocks)
    words = count_words(body)

    _reject_non_articles(md, url, title, words, images, linked_headings,
                         [page.text_len(t) for t in article_tags], rules)
    if not title:
        raise PageRejected(RejectReason.EMPTY, "no title")

    declared = canonical_or_none(md.canonical_url) if md.canonical_url else None
    if declared and not trusted_canonical(declared, url, rules.domains):
        declared = None  # another site's URL: the page does not get to claim it
    canonical = declared or canonical_or_none(url) or strip_control(url)
    reading = md.reading_time_minutes or max(1, math.ceil(words / WORDS_PER_MINUTE))
    article = Article(
        url=strip_control(url),
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
    article_sizes: list[int],
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
    teaser_articles = len(article_sizes) >= 5 and _no_dominant(article_sizes)
    if (md.page_types & INDEX_TYPES and not md.published_at) or teaser_articles or (
        linked_headings >= 5 and words < 60 * linked_headings
    ):
        raise PageRejected(RejectReason.INDEX,
                           f"{len(article_sizes)} teasers, {linked_headings} linked headings")
    if words == 0:
        raise PageRejected(RejectReason.EMPTY, "no body text")
    if words < rules.min_words:
        raise PageRejected(RejectReason.TOO_SHORT, f"{words} words < {rules.min_words}")


def _no_dominant(article_sizes: list[int]) -> bool:
    """No `<article>` holds half the text of them all: teasers, not one story."""
    return max(article_sizes) < 0.5 * sum(article_sizes)


def choose_title(page: PageIndex, md: Metadata, rules: ExtractionRules) -> str | None:
    """The headline a reader sees: the source's title selector, else the `<h1>` agreeing
    with the declared headline, else the declared headline (JSON-LD, OpenGraph, microdata,
    `<title>` without site suffix)."""
    if rules.title_selector:
        for tag in page.soup.select(rules.title_selector):
            text = collapse(tag.get_text(" "))
            if text:
                return text
    candidates = [c for c in md.headline_candidates if c]
    keys = [set(tokens(c)) for c in candidates]
    h1s = [collapse(h.get_text(" ")) for h in page.named("h1")]
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
