"""`extract_article`: raw page (bytes or text) + URL -> `Article`, or `PageRejected`."""

from __future__ import annotations

import math
from typing import Any

from bs4 import Tag

from transforms.article import Article, PageRejected, RejectReason
from transforms.charset import decode_page
from transforms.content import (
    BR,
    Block,
    Trace,
    describe,
    filter_blocks,
    render_blocks,
    strip_boilerplate,
)
from transforms.index import PageIndex
from transforms.layers import layered, load_hook, rules_version
from transforms.metadata import Metadata, read_metadata
from transforms.pagekind import Evidence, classify_page
from transforms.roots import companion_roots, find_lead, find_root, paragraph_chars
from transforms.rules import DEFAULT_RULES, WORDS_PER_MINUTE, ExtractionRules
from transforms.scripted import script_body
from transforms.soup import collector_paused, parse_page
from transforms.text import collapse, count_words, strip_control
from transforms.titles import choose_title
from transforms.urls import canonical_or_none, trusted_canonical

# A page refused as empty or too short is cleaned again, generic removal rules off, when
# its body container held at least this much paragraph text before cleaning: the rules
# took text for furniture (a paywall CTA or a teaser holds less).
LENIENT_MIN_CHARS = 600


def _links_away(heading: Tag, page: PageIndex) -> bool:
    """A heading linking to another page (a teaser), not to an anchor on this one."""
    for link in page.within(heading, ("a",)):
        href = link.get("href")
        if isinstance(href, str) and href.strip() and not href.strip().startswith("#"):
            return True
    return False


# A short (or empty) body gives way to the text of the page's structured data holding at
# least this many times its words: an app shell's noscript line or a how-to's intro is
# not the article (the dev split's such pages had 0-30 visible words against 300-1,500).
SCRIPT_BODY_RATIO = 3

# Where a publication date counts as the page's own (not guessed from the URL or htmldate).
OWN_DATE_SOURCES = frozenset({"selector", "jsonld", "meta", "microdata", "time", "text"})


def extract_article(
    html: str | bytes,
    url: str,
    rules: ExtractionRules | None = None,
    *,
    content_type: str | None = None,
) -> Article:
    """Clean article of a fetched page; raises `PageRejected` with a typed reason."""
    article, _ = _extract(html, url, layered(rules or DEFAULT_RULES), content_type, Trace())
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
        merged = layered(rules or DEFAULT_RULES)
        article, md = _extract(html, url, merged, content_type, trace)
        result: dict[str, Any] = {"article": article.to_dict(), "date_source": md.date_source,
                                  "rules_version": rules_version(merged)}
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
            try:
                article, md = _extract_page(parse_page(text), url, rules, trace)
            except PageRejected as rejected:
                if rejected.reason not in (RejectReason.EMPTY, RejectReason.TOO_SHORT) or \
                        trace.root_chars < LENIENT_MIN_CHARS:
                    raise
                # Before losing the page: clean it again with the generic removal rules
                # off (they may have taken the text for furniture), from a fresh tree.
                try:
                    return _extract_page(parse_page(text), url, rules, trace, lenient=True)
                except PageRejected:
                    raise rejected from None
            if article.word_count < rules.min_words and trace.root_chars >= LENIENT_MIN_CHARS:
                # a short body from a container full of text: the same second chance
                second = _extract_page(parse_page(text), url, rules, Trace(), lenient=True)
                if second[0].word_count >= 2 * max(1, article.word_count):
                    return second
            return article, md
    except RecursionError as exc:
        raise PageRejected(RejectReason.UNPARSABLE, "markup nested too deeply") from exc


def _extract_page(
    page: PageIndex, url: str, rules: ExtractionRules, trace: Trace, lenient: bool = False
) -> tuple[Article, Metadata]:
    soup = page.soup
    md = read_metadata(page, url, rules)
    title = choose_title(page, md, rules)
    article_tags = page.named("article")
    hook = load_hook(rules.hook) if rules.hook else None
    root = hook.select_root(page) if hook is not None else None
    if root is not None:
        trace.root, trace.root_rule = describe(root), f"hook {rules.hook}"
    else:
        root = find_root(page, rules, trace, liveblog="liveblogposting" in md.page_types)
    if root is None and lenient:
        root = page.first("body")
        trace.root, trace.root_rule = "body", "whole page (lenient)"
    body_tag = page.first("body") or soup
    scope = root if root is not None else body_tag
    images = sum(1 for _ in page.within(body_tag, ("img", "amp-img")))
    linked_headings = sum(1 for h in page.within(scope, ("h2", "h3", "h4"))
                          if _links_away(h, page))
    body = ""
    if root is not None:
        trace.root_chars = paragraph_chars(root, page)
        roots = companion_roots(root, page)
        if len(roots) > 1:
            trace.root_rule = f"{trace.root_rule} + {len(roots) - 1} companion(s)"
        lead = find_lead(page, roots)
        if lead and md.description and collapse(lead).casefold() == \
                collapse(md.description).casefold():
            lead = None  # the page's description, stored as such: not body text
        rendered = [Block("paragraph", lead)] if lead else []
        for part in roots:
            strip_boilerplate(part, page, rules, trace, lenient=lenient)
            rendered.extend(render_blocks(part))
        labels = [md.section or "", *md.tags]
        blocks = list(filter_blocks(rendered, title, md.authors, trace, labels, rules))
        body = "\n\n".join(block.text for block in blocks)
    words = count_words(body)
    scripted = False
    if words < rules.min_words:
        # a page drawn by JavaScript (or a how-to or recipe) may carry its text in its
        # structured data only: that text, rather than a refusal or a fragment
        text = script_body(md.nodes)
        if (found := count_words(text)) >= SCRIPT_BODY_RATIO * max(1, words):
            body, words, scripted = text, found, True
            trace.root_rule = "structured data text"

    verdict = classify_page(Evidence(
        url=url, title=title, words=words, images=images, linked_headings=linked_headings,
        teaser_sizes=tuple(page.text_len(t) for t in article_tags),
        page_types=frozenset(md.page_types), og_type=md.og_type, article_node=md.article_node,
        own_date=md.date_source in OWN_DATE_SOURCES, authors=bool(md.authors),
        density_root=(trace.root_rule or "").startswith("text density"),
        min_words=rules.min_words,
        liveblog="liveblogposting" in md.page_types, lenient=lenient, scripted=scripted))
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
        credit=md.credit,
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
        page_kind=verdict.kind,
        extraction_confidence=verdict.confidence,
        confidence_reasons=verdict.reasons,
        rules_version=rules_version(rules),
    )
    if hook is not None:
        article = hook.finish(article, page)
    return article, md
