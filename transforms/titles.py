"""The headline a reader sees: the visible `<h1>` (kicker left out, spans joined as they
render) or the declared headline (JSON-LD, OpenGraph, `<title>` without the site name)."""

from __future__ import annotations

from bs4 import NavigableString, Tag

from transforms.content import SKIP_NODES
from transforms.index import PageIndex, class_words
from transforms.metadata import Metadata
from transforms.rules import ExtractionRules
from transforms.text import collapse, count_words, tokens

# Class words of a kicker / overline printed inside the headline element ("Formel 1 |").
KICKER_WORDS = frozenset({"kicker", "topline", "dachzeile", "overline", "eyebrow", "roofline",
                          "supertitle", "spitzmarke", "pretitle", "surtitle", "rubric",
                          "flag", "tagline", "kicker__text"})
_BLOCK_NAMES = frozenset({"div", "p", "br", "section", "header", "li", "h1", "h2", "h3"})
# Share of an `<h1>`'s words a declared headline must hold for the two to be the same.
HEADLINE_OVERLAP = 0.8


def heading_text(tag: Tag) -> str:
    """The text of a headline element as a browser shows it: inline spans joined without
    added spaces (the page's own spacing kept: French puts one before a colon), block
    children and `<br>` apart, kicker spans left out (when the rest still says something)."""
    parts: list[str] = []
    kicker = False

    def walk(node: Tag) -> None:
        nonlocal kicker
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, SKIP_NODES):
                    parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in ("script", "style", "template", "svg", "button"):
                    continue
                if class_words(child) & KICKER_WORDS:
                    kicker = True
                    continue
                block = child.name in _BLOCK_NAMES
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")

    walk(tag)
    text = collapse("".join(parts))
    if kicker:  # the kicker's separator (": ", " | ") has no kicker to follow any more
        text = text.strip(" :|-–—·•»/")
        if count_words(text) < 2:
            text = collapse(tag.get_text(" "))
    return text


def _same(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / max(1, min(len(ta), len(tb))) >= HEADLINE_OVERLAP


def _plausible_h1(page: PageIndex, tag: Tag, text: str, site_name: str | None) -> bool:
    """A headline, not a logo, the site's name or a menu title."""
    if not text or count_words(text) < 2 or len(text) > 300:
        return False
    if site_name and text.casefold() == site_name.casefold():
        return False
    if page.in_ignored_context(tag):
        return False
    links = list(page.within(tag, ("a",)))
    if len(links) == 1:
        href = links[0].get("href")
        if isinstance(href, str) and href.rstrip("/").count("/") <= 2 and \
                collapse(links[0].get_text(" ")) == text:
            return False  # <h1><a href="/">Site</a></h1>: the logo
    return True


def choose_title(page: PageIndex, md: Metadata, rules: ExtractionRules) -> str | None:
    """The source's title selector, else the `<h1>` agreeing with a declared headline,
    else the first plausible `<h1>` (declared headlines are often the SEO variant), else
    the declared headline."""
    if rules.title_selector:
        for tag in page.soup.select(rules.title_selector):
            text = heading_text(tag)
            if text:
                return text
    candidates = [c for c in md.headline_candidates if c]
    h1s = [(tag, heading_text(tag)) for tag in page.named("h1")]
    for _, h1 in h1s:
        if count_words(h1) >= 2 and any(_same(h1, c) for c in candidates):
            return h1
    plausible = [h1 for tag, h1 in h1s if _plausible_h1(page, tag, h1, md.site_name)]
    if len(plausible) == 1 or (plausible and not candidates):
        return plausible[0]
    if candidates:
        return candidates[0]
    for _, h1 in h1s:
        if count_words(h1) >= 3:
            return h1
    return None
