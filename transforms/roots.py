"""Where the article body is: per-source and family containers, known templates, text
density; the body's repeated containers and a lead printed outside it."""

from __future__ import annotations

import re

from bs4 import Tag

from transforms.content import (
    CONTENT_MATCHER,
    Trace,
    class_and_id,
    class_concept,
    describe,
    text_len,
)
from transforms.index import VISIBLE_STRINGS, PageIndex, class_words
from transforms.rules import CONTENT_SELECTORS, ExtractionRules
from transforms.text import collapse, words_of


def find_root(page: PageIndex, rules: ExtractionRules, trace: Trace,
              liveblog: bool = False) -> Tag | None:
    """The element holding the article body: per-source selectors, known templates, else
    the best-scoring container by paragraph text and link density. A template container
    holding much less article text than the best-scoring one is a fragment (a teaser, one
    live-blog entry, an intro box): the scoring's choice wins then."""
    soup = page.soup
    body = page.first("body") or soup
    for selector in rules.content_selectors:
        found = [t for t in soup.select(selector) if text_len(t) > 0]
        if found:
            best = max(found, key=text_len)
            trace.root, trace.root_rule = describe(best), f"source selector {selector}"
            return best
    template = _preferred_root(page, rules) or _template_root(page, body, liveblog)
    trace.root_chars = 0
    scored = None if rules.disabled("density", "density_root") else \
        _score_containers(body, page)
    if template is not None:
        tag, rule = template
        if scored is not None and rule in BROAD_SELECTORS and _core(scored, tag, page):
            trace.root, trace.root_rule = describe(scored), f"text density inside {rule}"
            return scored
        if scored is None or not _fragment(tag, scored, page):
            trace.root, trace.root_rule = describe(tag), rule
            return tag
    if scored is not None:
        trace.root, trace.root_rule = describe(scored), "text density"
    return scored


# A template container is a fragment when the best-scoring container is elsewhere and
# holds this many times its paragraph text (calibrated on the dev split of the real-page
# corpora: 2-3 keeps teaser-sized template matches from winning, higher lets them).
FRAGMENT_RATIO = 2.5


def _fragment(tag: Tag, scored: Tag, page: PageIndex) -> bool:
    start, end = page.span(tag)
    s_start, s_end = page.span(scored)
    if start <= s_start < end:  # the scoring's choice is inside the template container
        return False
    return _paragraph_text_len(scored, page) > FRAGMENT_RATIO * _paragraph_text_len(tag, page)


# Page-level containers: besides the article they hold its furniture (work headers,
# "more posts" rails, feedback boxes, category lists).
BROAD_SELECTORS = frozenset({"article", "[role=main]", "main"})
# Inside a page-level container, the best-scoring container is the body when it holds at
# least this share of the container's paragraph text (calibrated on the dev split of the
# real-page corpora, 0.4-0.9 tried: 0.5-0.6 best; lower lets one section of a multi-part
# body win, higher keeps more furniture).
CORE_SHARE = 0.6


def _core(scored: Tag, tag: Tag, page: PageIndex) -> bool:
    """The best-scoring container sits inside `tag` and holds most of its text."""
    if scored is tag:
        return False
    start, end = page.span(tag)
    if not start <= page.span(scored)[0] < end:
        return False
    return _paragraph_text_len(scored, page) >= CORE_SHARE * _paragraph_text_len(tag, page)


def _preferred_root(page: PageIndex, rules: ExtractionRules) -> tuple[Tag, str] | None:
    """The family's containers, checked as the generic ones are."""
    for selector in rules.preferred_selectors:
        found = [t for t in page.soup.select(selector)
                 if not _in_boilerplate(t, page) and not _boilerplate_itself(t, page)]
        if found:
            length, best = max(((_paragraph_text_len(t, page), t) for t in found),
                               key=lambda pair: pair[0])
            if length >= 150:
                return best, f"family selector {selector}"
    return None


# A repeat of the root's container (same tag and classes) joins the body when it holds at
# least this much paragraph text and links make at most this share of its text.
COMPANION_MIN_CHARS = 150
COMPANION_MAX_LINK_SHARE = 0.3


def companion_roots(root: Tag, page: PageIndex) -> list[Tag]:
    """The root and the containers repeating its tag and classes elsewhere on the page, in
    page order: an article body cut into sections by ads, images or pull quotes."""
    classes = root.get("class")
    if not isinstance(classes, list) or not classes:
        return [root]
    # the first class names the container; later ones number or style it ("story-body-2")
    first = classes[0]
    found = [t for t in page.with_attr("class")
             if t.name == root.name and _first_class(t) == first]
    if len(found) < 2:
        return [root]
    out: list[Tag] = []
    last_end = -1
    for tag in found:
        start, end = page.span(tag)
        if start < last_end:
            continue  # nested in the one before
        if tag is not root:
            links = page.text_len_within(tag, ("a",))
            if (_paragraph_text_len(tag, page) < COMPANION_MIN_CHARS
                    or links > COMPANION_MAX_LINK_SHARE * max(1, page.text_len(tag))
                    or _in_boilerplate(tag, page) or _boilerplate_itself(tag, page)):
                continue
        out.append(tag)
        last_end = end
    return out if any(t is root for t in out) else [root]


# Class words of an article's lead / standfirst printed between the headline and the body.
LEAD_WORDS = frozenset({"lead", "intro", "teaser", "standfirst", "summary", "dek", "deck",
                        "abstract", "excerpt", "subtitle", "subheadline", "chapeau", "chapo",
                        "entradilla", "sottotitolo", "vorspann", "leadin", "introduction"})
LEAD_CHARS = (60, 700)


def find_lead(page: PageIndex, roots: list[Tag]) -> str | None:
    """The lead paragraph between the page's `<h1>` and the body, when the template prints
    it outside the body's container."""
    h1 = page.first("h1")
    start = page.span(roots[0])[0]
    after = page.span(h1)[1] if h1 is not None else start
    if after > start:
        return None
    for index in range(start - 1, after - 1, -1):
        tag = page.tags[index]
        if tag.name not in ("p", "div", "h2", "span", "section") or \
                not class_words(tag) & LEAD_WORDS:
            continue
        if page.span(tag)[1] > start or page.in_ignored_context(tag):
            continue
        text = page.short_text(tag, LEAD_CHARS[1])
        if text and len(text) >= LEAD_CHARS[0]:
            return text
    return None


def _first_class(tag: Tag) -> str | None:
    classes = tag.get("class")
    return classes[0] if isinstance(classes, list) and classes else None


def _template_root(page: PageIndex, body: Tag, liveblog: bool) -> tuple[Tag, str] | None:
    matches: dict[int, list[Tag]] = {}
    for tag in page.within(body):
        hit = CONTENT_MATCHER.match(tag)
        if hit:
            matches.setdefault(int(hit[0]), []).append(tag)
    for index in sorted(matches):
        candidates = [t for t in matches[index]
                      if not _in_boilerplate(t, page) and not _boilerplate_itself(t, page)]
        if not candidates:
            continue
        scored = [(_paragraph_text_len(t, page), t) for t in candidates]
        length, best = max(scored, key=lambda pair: pair[0])
        if length >= 150:
            siblings = [t for n, t in scored if n >= 100 and t.parent is best.parent]
            total = sum(_paragraph_text_len(t, page) for t in siblings)
            stream = liveblog or (length < 0.5 * total and CONTENT_SELECTORS[index] != "article")
            if len(siblings) >= 3 and stream and isinstance(best.parent, Tag):
                # entries of one stream (live-blog updates): all of them, in page order
                return best.parent, f"{CONTENT_SELECTORS[index]} (parent of {len(siblings)})"
            return best, CONTENT_SELECTORS[index]
    return None


def _boilerplate_itself(tag: Tag, page: PageIndex) -> bool:
    """A template match that is itself a comment thread, rail or footer (`<article
    id="comments">`), unless it holds the page's <h1>."""
    if page.holds_h1(tag):
        return False
    hit = class_concept(tag)
    return hit is not None and hit[0] in ("related", "sidebar", "comments", "footer",
                                          "consent")


def _in_boilerplate(tag: Tag, page: PageIndex) -> bool:
    """Inside an aside, footer, nav or a related/sidebar/comments container that does not
    hold the page's <h1>."""
    def boilerplate(parent: Tag) -> bool:
        if page.holds_h1(parent):
            return False
        if parent.name in ("aside", "footer", "nav"):
            return True
        hit = class_concept(parent)
        return hit is not None and hit[0] in ("related", "sidebar", "comments", "footer")

    return page.any_ancestor(tag, "boilerplate", boilerplate)


_PARAGRAPH_TAGS = ("p", "li", "h2", "h3", "blockquote", "td", "dd")


def paragraph_chars(tag: Tag, page: PageIndex) -> int:
    """Characters of paragraph-like text inside `tag` (before cleaning)."""
    return _paragraph_text_len(tag, page)


def _paragraph_text_len(tag: Tag, page: PageIndex) -> int:
    return page.text_len_within(tag, _PARAGRAPH_TAGS) or page.text_len(tag)


_NOT_CONTENT_ROLES = frozenset({"dialog", "alertdialog", "navigation", "complementary",
                                 "contentinfo", "banner", "search"})
# Class-word concepts of containers never holding article text, whatever their size (a
# long comment thread must not become the body). Sidebar, footer or navigation words are
# not among them: layout wrappers carry them ("layout-with-rail", "elementor-widget").
_NEVER_CONTENT = frozenset({"consent", "comments"})


# Class / id words (camelCase split too) of layers shown over or beside the page, never
# its article: pop-ups, modals, fly-outs, sliders of quotes or teasers, privacy dialogs.
# Found on the dev split of the real-page corpora, where a privacy pop-up or a contact
# fly-out out-scored the article it covers.
# ("slider", "carousel" or "overlay" are not among them: page builders put them on the
# article's own wrappers, e.g. Elementor's "has_ae_slider".)
OVERLAY_WORDS = frozenset({"modal", "popup", "flyout", "lightbox", "dsgvo", "cookie",
                           "cookies", "consent", "gdpr"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _overlay(tag: Tag) -> bool:
    names = class_and_id(tag)
    return any(word in OVERLAY_WORDS for name in names for word in words_of(_CAMEL.sub(" ", name)))


def _not_content(tag: Tag) -> bool:
    """A container no article text lives in: consent dialogs, comment threads, sidebars,
    navigation, pop-up layers (by tag, ARIA role, or class word)."""
    name = tag.name
    if name in ("body", "html"):
        return False
    if name in ("nav", "footer", "aside", "form", "dialog"):
        return True
    role = tag.get("role")
    if isinstance(role, str) and role.lower() in _NOT_CONTENT_ROLES:
        return True
    hit = class_concept(tag)
    if hit is not None and hit[0] in _NEVER_CONTENT:
        return True
    return _overlay(tag)


# Children that make a container a layout box rather than a paragraph of its own.
_BLOCK_CHILDREN = frozenset({"p", "div", "section", "article", "table", "ul", "ol", "li",
                             "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                             "header", "footer", "form", "figure", "aside", "nav", "main",
                             "script", "template", "noscript", "style"})


def _has_block_child(node: Tag) -> bool:
    """A `<div>` of inline elements only (text in `<span>`s) is a paragraph: its whole
    text counts, as readability counts it; with block children (or a script template,
    whose text is not shown) only its own strings do."""
    return any(isinstance(c, Tag) and c.name in _BLOCK_CHILDREN for c in node.children)


# Han, kana and hangul: scripts whose characters each hold about two Latin letters of
# text (the thresholds below are in Latin letters).
_DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Commas earn a text unit credit as signs of prose; in a unit whose comma-separated
# pieces average under this many characters they separate a list (an author list of a
# paper out-scored its abstract on the dev split), and earn nothing.
LIST_SEGMENT_CHARS = 20


_SCORED_TAGS = ("p", "td", "pre", "div", "font", "section", "li", "blockquote")
# A table's rows and row groups are no containers of their own: the cell's text credits
# the table (a note laid out as one row per paragraph has its body in the table).
_TABLE_PARTS = frozenset({"tr", "tbody", "thead", "tfoot"})


def _container_above(holder: Tag | None) -> Tag | None:
    """The container a text unit's holder sits in, table rows skipped."""
    parent = holder.parent if holder is not None else None
    while isinstance(parent, Tag) and parent.name in _TABLE_PARTS:
        parent = parent.parent
    return parent


def _score_containers(body: Tag, page: PageIndex) -> Tag | None:
    """Readability-style: credit each text unit's parent and grandparent, penalise links;
    text inside comment threads, consent dialogs, sidebars and navigation earns nothing."""
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    def excluded(tag: Tag) -> bool:
        return _not_content(tag) and not page.holds_h1(tag)

    for node in page.within(body, _SCORED_TAGS):
        if excluded(node) or page.any_ancestor(node, "not_content", excluded):
            continue
        # a div, section or quote of inline elements only is a paragraph: its parent is
        # credited
        paragraph = node.name in ("p", "pre") or (
            node.name in ("div", "section", "blockquote") and not _has_block_child(node))
        if paragraph:
            text = collapse(node.get_text(" "))
        elif node.name in ("div", "font", "section", "td", "li"):
            text = collapse("".join(str(s) for s in node.contents if type(s) in VISIBLE_STRINGS))
        else:
            text = collapse(node.get_text(" "))
        size, commas = len(text), text.count(",")
        if not text.isascii():  # a CJK character carries about two letters' worth
            size += len(_DENSE_SCRIPT.findall(text))
            commas += text.count("、") + text.count("，")
        if size < 40:
            continue
        links = page.text_len_within(node, ("a",))
        density = links / max(1, len(text))
        if size < LIST_SEGMENT_CHARS * (commas + 1):
            commas = 0  # a comma-separated list of names or tags, not prose
        score = (1 + commas + min(size / 100, 3)) * (1 - min(density, 0.9))
        holder = node.parent if paragraph or node.name == "li" else node
        levels = (holder, _container_above(holder))
        for level, factor in zip(levels, (1.0, 0.5), strict=True):
            if isinstance(level, Tag) and level.name not in ("html", "[document]"):
                scores[id(level)] = scores.get(id(level), 0.0) + score * factor
                nodes[id(level)] = level
    if not scores:
        return None
    best = nodes[max(scores, key=lambda k: scores[k])]
    return _whole_body(best, page)


# The best-scoring container is the later part of a body cut in two (a "read more"
# toggle or a second section after an ad holds the rest) when its parent's own paragraphs
# hold at least this share of its paragraph text (dev split of the real-page corpora:
# 0.25 and 0.15 tried; 0.15 takes one more readability page whole, where the first part
# held 20 %, and changes no other dev page).
SPLIT_BODY_SHARE = 0.15


def _whole_body(best: Tag, page: PageIndex) -> Tag:
    """`best`, or its parent when the parent's own `<p>` children hold a good share of
    the text: the container then holds one part of the body, the parent all of it."""
    parent = best.parent
    if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
        return best
    own = sum(page.text_len(child) for child in parent.children
              if isinstance(child, Tag) and child.name == "p")
    if own >= SPLIT_BODY_SHARE * max(1, _paragraph_text_len(best, page)):
        return parent
    return best
