"""Article text: boilerplate stripped inside the body container, blocks rendered and filtered."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bs4 import Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from transforms.index import PageIndex
from transforms.rules import (
    BOILERPLATE_SELECTORS,
    BOILERPLATE_WORDS,
    CONTENT_SELECTORS,
    DROP_TAGS,
    ExtractionRules,
    compile_text_rules,
)
from transforms.selectors import SelectorSet
from transforms.text import collapse, count_words, words_of

INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    "font", "big", "tt", "strike", "del", "ins", "nobr", "acronym", "o:p",
})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SKIP_NODES = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
BR = "\u2028"  # stands for <br> while rendering; input has it replaced by a space
_BREAKS = re.compile(rf"\s*{BR}\s*(?:{BR}\s*)+")
_WORD_TO_CONCEPT = {w: c for c, words in BOILERPLATE_WORDS.items() for w in words}
_BOILERPLATE = SelectorSet.build(BOILERPLATE_SELECTORS)
CONTENT_MATCHER = SelectorSet.build({str(i): (s,) for i, s in enumerate(CONTENT_SELECTORS)})
_TEXT_RULES = compile_text_rules()
# A matched element holding more than this share of the article's text is kept: a
# class word such as "meta" on the main container must not delete the article.
PROTECT_SHARE = 0.4


@dataclass
class Block:
    """A rendered block of article text."""

    kind: str  # paragraph | heading | list | quote | table | pre
    text: str
    link_chars: int = 0

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


@dataclass
class Trace:
    """What the cleaner did, for `autonews extract --explain`."""

    enabled: bool = False
    root: str | None = None
    root_rule: str | None = None
    root_chars: int = 0  # paragraph text of the root before cleaning
    removed: list[dict[str, Any]] = field(default_factory=list)

    def removal(self, rule: str, concept: str, match: str, element: Tag | str) -> None:
        if not self.enabled:
            return
        if isinstance(element, Tag):
            snippet = collapse(element.get_text(" "))[:90]
            where = describe(element)
        else:
            snippet, where = element[:90], "text block"
        self.removed.append({"rule": rule, "concept": concept, "match": match,
                             "element": where, "text": snippet})


def describe(tag: Tag) -> str:
    out = tag.name or "?"
    ident = tag.get("id")
    if isinstance(ident, str):
        out += f"#{ident}"
    classes = tag.get("class")
    if isinstance(classes, list) and classes:
        out += "." + ".".join(classes[:3])
    return out


def text_len(tag: Tag) -> int:
    return len(collapse(tag.get_text(" ")))


def class_and_id(tag: Tag) -> list[str]:
    """The element's class names and its id, as written."""
    names: list[str] = []
    classes = tag.get("class")
    if isinstance(classes, list):
        names.extend(classes)
    ident = tag.get("id")
    if isinstance(ident, str):
        names.append(ident)
    return names


def class_concept(tag: Tag) -> tuple[str, str] | None:
    names = class_and_id(tag)
    if not names:
        return None
    for name in names:
        for word in words_of(name):
            concept = _WORD_TO_CONCEPT.get(word)
            if concept:
                return concept, word
    return None


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    if isinstance(style, str):
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


# ---------------------------------------------------------------- cleaning


def strip_boilerplate(root: Tag, page: PageIndex, rules: ExtractionRules, trace: Trace,
                      lenient: bool = False) -> None:
    """Remove non-article elements inside `root`, in place (`page` indexes the tree as
    it was before: this is its last use). `lenient`: only non-text tags and the source's
    own remove-list (the second chance of a page that came out empty)."""
    total = max(1, text_len(root))
    inside = list(page.within(root))
    # Spans of `page.tags` removed so far: their tags are skipped. (`Tag.decomposed`
    # would answer too, but bs4 computes it with a search of the whole subtree.)
    removed = _strip_signup_boxes(root, [t for t in inside if t.name == "input"], page, trace)
    skip_until = -1
    extra = SelectorSet.build({"source remove-list": rules.remove_selectors})
    for tag in inside:
        start, end = page.span(tag)
        if start < skip_until or any(a <= start < b for a, b in removed):
            continue
        if lenient:
            rule = _lenient_rule(tag, extra if rules.remove_selectors else None)
        else:
            rule = _removal_rule(tag, total, extra if rules.remove_selectors else None, rules)
        if rule is not None:
            trace.removal(*rule, tag)
            tag.decompose()
            skip_until = end


# Removed even by the lenient second pass: comment threads and consent boxes are never
# article text, whatever their size.
LENIENT_CONCEPTS = frozenset({"comments", "consent"})


def _lenient_rule(tag: Tag, extra: SelectorSet | None) -> tuple[str, str, str] | None:
    if tag.name in DROP_TAGS:
        return "tag", "non-text", tag.name
    hit = extra.match(tag) if extra is not None else None
    if hit:
        return "selector", hit[0], hit[1]
    word = class_concept(tag)
    if word and word[0] in LENIENT_CONCEPTS:
        return "class word", word[0], word[1]
    return None


def _removal_rule(tag: Tag, total: int, extra: SelectorSet | None,
                  rules: ExtractionRules) -> tuple[str, str, str] | None:
    """(rule, concept, match) that removes `tag`, or None to keep it (rules the source
    switched off left out)."""
    name = tag.name
    if name in DROP_TAGS or (name == "header" and text_len(tag) < total * PROTECT_SHARE):
        if name in ("form", "aside") and text_len(tag) >= total * PROTECT_SHARE:
            return None
        return "tag", "non-text", name
    if _hidden(tag):
        return "hidden", "hidden", "hidden/display:none"
    hit = (extra.match(tag) if extra is not None else None) or _BOILERPLATE.match(tag)
    if hit and not rules.disabled("selector", hit[0]):
        return "selector", hit[0], hit[1]
    word = class_concept(tag)
    if word and text_len(tag) < total * PROTECT_SHARE and \
            not rules.disabled("class_word", word[0]) and not _prose(tag):
        return "class word", word[0], word[1]
    return None


# A paragraph this long is prose whatever its class says (`<p class="paywall">` marks the
# paid part of an article, not a sign-up box).
PROSE_CHARS = 80


def _prose(tag: Tag) -> bool:
    return tag.name in ("p", "blockquote") and text_len(tag) >= PROSE_CHARS


def _strip_signup_boxes(
    root: Tag, inputs: list[Tag], page: PageIndex, trace: Trace
) -> list[tuple[int, int]]:
    """A small box around an e-mail field is a newsletter or paywall sign-up. Returns the
    removed spans of `page.tags`."""
    removed: list[tuple[int, int]] = []
    for field_ in inputs:
        start = page.span(field_)[0]
        if any(a <= start < b for a, b in removed) or field_.get("type") != "email":
            continue
        box: Tag = field_
        for parent in field_.parents:
            # measured on the tree as it is now (earlier boxes may be gone): not `page`
            if parent is root or text_len(parent) > 300:
                break
            box = parent
        if box is not field_:
            trace.removal("email field", "newsletter", "box around input[type=email]", box)
            box.decompose()
            removed.append(page.span(box))
    return removed


# ---------------------------------------------------------------- rendering


_BLOCKS_IN_LAYOUT_CELLS = frozenset({"p", "div", "table", "ul", "ol", "blockquote", "h1", "h2",
                                     "h3", "br"})


def _is_layout_table(table: Tag) -> bool:
    """A table used for page layout (cells holding blocks or long text), not data."""
    if table.get("role") == "presentation":
        return True
    for cell in table.descendants:  # lazily: the first layout cell decides
        if not isinstance(cell, Tag) or cell.name not in ("td", "th"):
            continue
        if cell.find(_BLOCKS_IN_LAYOUT_CELLS) or len(cell.get_text()) > 300:
            return True
    return False


def _own_cells(table: Tag) -> Iterator[Tag]:
    """The cells whose nearest table is `table` (not those of tables nested in it), in
    page order, without a parent search per cell."""
    pending: list[Iterator[Any]] = [iter(table.contents)]
    while pending:
        node = next(pending[-1], None)
        if node is None:
            pending.pop()
        elif isinstance(node, Tag) and node.name != "table":
            if node.name in ("td", "th"):
                yield node
            pending.append(iter(node.contents))


def _table_lines(table: Tag) -> list[str]:
    lines = []
    for row in table.find_all("tr"):
        cells = [collapse(c.get_text(" ")) for c in row.find_all(["td", "th"])]
        cells = [c for c in cells if c]
        if cells:
            lines.append(" | ".join(cells))
    return lines


def _list_lines(lst: Tag) -> list[str]:
    lines = []
    for item in lst.find_all(["li", "dt", "dd"], recursive=False) or lst.find_all("li"):
        nested = [n.extract() for n in item.find_all(["ul", "ol"], recursive=False)]
        text = collapse(item.get_text(" "))
        if text:
            lines.append(text)
        for sub in nested:
            lines.extend(_list_lines(sub))
    return lines


def _is_container_list(lst: Tag) -> bool:
    """A list used for layout (live-blog updates, cards): its items hold paragraphs."""
    return lst.find(["p", "div", "h2", "h3", "h4", "blockquote", "table"]) is not None


def _link_chars(tag: Tag) -> int:
    return sum(len(collapse(a.get_text(" "))) for a in tag.find_all("a"))


class _Renderer:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.link_chars = 0

    def flush(self) -> None:
        raw = "".join(self.buf)
        self.buf.clear()
        links, self.link_chars = self.link_chars, 0
        for part in _BREAKS.split(raw):
            text = collapse(part.replace(BR, " "))
            if text:
                self.blocks.append(Block("paragraph", text, min(links, len(text))))

    def add(self, kind: str, text: str, link_chars: int = 0) -> None:
        self.flush()
        if text:
            self.blocks.append(Block(kind, text, link_chars))

    def walk(self, node: Tag) -> None:
        """Render `node`'s children in document order into `self.blocks`: text and inline
        elements join the pending paragraph (`buf`; link text is counted in `link_chars`);
        headings, lists, data tables, quotes and `pre` flush it and become one block of
        their kind; a layout table's cells and any other element are walked into, each
        cell a paragraph break. Recursive: the parser bounds the tree's depth
        (`soup.MAX_DEPTH`)."""
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, SKIP_NODES):
                    self.buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                self.buf.append(BR)
            elif name in HEADINGS:
                self.add("heading", collapse(child.get_text(" ")), _link_chars(child))
            elif name in ("ul", "ol", "dl") and not _is_container_list(child):
                lines = _list_lines(child)
                self.add("list", "\n".join(lines), _link_chars(child))
            elif name == "table":
                if _is_layout_table(child):
                    self.flush()
                    for cell in _own_cells(child):
                        self.walk(cell)
                        self.flush()
                else:
                    self.add("table", "\n".join(_table_lines(child)), _link_chars(child))
            elif name == "blockquote":
                self.add("quote", collapse(child.get_text(" ")), _link_chars(child))
            elif name == "pre":
                lines = [collapse(line) for line in child.get_text().splitlines()]
                self.add("pre", "\n".join(line for line in lines if line))
            elif name == "a":
                before = len("".join(self.buf))
                self.walk(child)
                self.link_chars += len("".join(self.buf)) - before
            elif name in INLINE_TAGS:
                self.walk(child)
            else:
                self.flush()
                self.walk(child)
                self.flush()


def render_blocks(root: Tag) -> list[Block]:
    renderer = _Renderer()
    renderer.walk(root)
    renderer.flush()
    return renderer.blocks


# ---------------------------------------------------------------- block filtering


def text_rule(text: str, rules: ExtractionRules | None = None) -> tuple[str, str] | None:
    """(concept, pattern) of the boilerplate text rule a whole block matches (the
    source's own patterns first, generic ones it switched off left out)."""
    if len(text) > 260:
        return None
    if rules is not None:
        for pattern in _source_patterns(rules.text_patterns):
            if pattern.match(text):
                return "source", pattern.pattern
    for concept, pattern in _TEXT_RULES:
        if pattern.match(text) and not (rules is not None and rules.disabled("text", concept)):
            return concept, pattern.pattern
    return None


@lru_cache(maxsize=128)
def _source_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in patterns)


def filter_blocks(
    blocks: list[Block], title: str | None, authors: list[str], trace: Trace,
    labels: Iterable[str] = (), rules: ExtractionRules | None = None,
) -> Iterator[Block]:
    """Drop template furniture that survived element removal: repeated title and byline,
    section/tag labels before the text, reading time, share/comment prompts, link lists,
    duplicates."""
    seen: set[str] = set()
    title_key = (title or "").casefold()
    author_keys = {a.casefold() for a in authors}
    label_keys = {label.casefold() for label in labels if label}
    started = False
    for block in blocks:
        key = block.text.casefold()
        if not started and key in label_keys:
            trace.removal("text", "label", "section or tag label", block.text)
            continue
        started = started or count_words(block.text) >= 8
        if key in seen:
            trace.removal("text", "duplicate", "repeated block", block.text)
            continue
        if title_key and key == title_key:
            trace.removal("text", "title", "title repeated", block.text)
            continue
        if _is_byline(block.text, author_keys):
            trace.removal("text", "byline", "byline", block.text)
            continue
        hit = text_rule(block.text, rules)
        if hit and (block.kind != "heading" or hit[0] in ("share", "comments")
                    or count_words(block.text) <= HEADING_CUE_WORDS):
            assert hit is not None
            trace.removal("text", hit[0], hit[1], block.text)
            continue
        if not _HAS_WORD.search(block.text):
            trace.removal("text", "symbols", "no letters or digits", block.text)
            continue
        if block.link_density > 0.6 and count_words(block.text) < 40 and \
                not _prose_list(block):
            trace.removal("text", "links", "link density > 0.6", block.text)
            continue
        seen.add(key)
        yield block


_HAS_WORD = re.compile(r"\w")
# A list whose items average this many words is prose even when its items are linked
# (release notes, sources); navigation and teaser lists have short items.
PROSE_LIST_WORDS = 8


def _prose_list(block: Block) -> bool:
    if block.kind != "list":
        return False
    items = block.text.split("\n")
    return count_words(block.text) / max(1, len(items)) >= PROSE_LIST_WORDS
# A heading this short matching a boilerplate text rule is furniture ("Mehr zum Thema");
# a longer one is the article's own sub-heading that happens to start like one.
HEADING_CUE_WORDS = 5
_BYLINE_START = re.compile(r"^(by|von|par|por|written by|words by|posted by|submitted by)\b",
                           re.IGNORECASE)


def _is_byline(text: str, author_keys: set[str]) -> bool:
    if count_words(text) > 16:
        return False
    key = text.casefold()
    if key in author_keys:
        return True
    if _BYLINE_START.match(text) and (not author_keys or any(a in key for a in author_keys)):
        return True
    return bool(author_keys) and any(key.startswith(a) for a in author_keys) and \
        count_words(text) <= 8
