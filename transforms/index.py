"""A parsed page indexed once: tags by name and attribute, visible strings, subtree spans."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData

from transforms.rules import IGNORE_CONTEXT_WORDS
from transforms.text import collapse, words_of

# The string types `Tag.get_text()` returns by default: what a reader sees.
VISIBLE_STRINGS = (NavigableString, CData)


@dataclass
class TreeFacts:
    """What one walk over a tree records (the parser records it while building the tree).

    A subtree is a contiguous run of `tags` and of `strings`, so spans answer "which
    tags/strings are inside this element" without walking it."""

    tags: list[Tag] = field(default_factory=list)  # page order
    strings: list[NavigableString] = field(default_factory=list)  # visible ones, page order
    tag_end: dict[int, int] = field(default_factory=dict)  # id(tag) -> tags index after it
    string_start: dict[int, int] = field(default_factory=dict)  # id(tag) -> strings index
    string_end: dict[int, int] = field(default_factory=dict)
    first_text: dict[int, int] = field(default_factory=dict)  # id(tag) -> first non-blank


class FactsRecorder:
    """Builds `TreeFacts` from open/text/close events in document order."""

    def __init__(self) -> None:
        self.facts = TreeFacts()
        self._open: list[int] = []
        self._waiting = 0  # open tags from this depth on have no non-blank text yet

    def opened(self, tag: Tag) -> None:
        facts = self.facts
        facts.string_start[id(tag)] = len(facts.strings)
        facts.tags.append(tag)
        self._open.append(id(tag))

    def text(self, string: NavigableString) -> None:
        facts = self.facts
        if self._waiting < len(self._open) and string.strip():
            index = len(facts.strings)
            for key in self._open[self._waiting:]:
                facts.first_text[key] = index
            self._waiting = len(self._open)
        facts.strings.append(string)

    def closed(self, tag: Tag) -> None:
        facts = self.facts
        facts.string_end[id(tag)] = len(facts.strings)
        facts.tag_end[id(tag)] = len(facts.tags)
        self._open.pop()
        self._waiting = min(self._waiting, len(self._open))


def walk_tree(soup: BeautifulSoup) -> TreeFacts:
    """`TreeFacts` of an already built tree (iteratively: nesting depth is unbounded)."""
    recorder = FactsRecorder()
    pending: list[tuple[Tag, Iterator[Any]]] = [(soup, iter(soup.contents))]
    while pending:
        tag, children = pending[-1]
        child = next(children, None)
        if child is None:
            pending.pop()
            if pending:
                recorder.closed(tag)
        elif isinstance(child, Tag):
            recorder.opened(child)
            pending.append((child, iter(child.contents)))
        elif isinstance(child, NavigableString) and type(child) in VISIBLE_STRINGS:
            recorder.text(child)
    return recorder.facts


class PageIndex:
    """Look-ups the cleaner repeats, answered without walking the tree again.

    `soup.find_all()` and `get_text()` walk a subtree per call (and bs4 finds a subtree's
    end by walking down it), so asking them about every element is quadratic. Valid
    until the tree changes: build it before `strip_boilerplate`.
    """

    def __init__(self, soup: BeautifulSoup, facts: TreeFacts | None = None,
                 markup: str | None = None) -> None:
        facts = facts or walk_tree(soup)
        self.soup = soup
        self.markup = markup  # the text the tree was parsed from, when known
        self.tags = facts.tags
        self.strings = facts.strings
        self._facts = facts
        self._position = {id(tag): index for index, tag in enumerate(self.tags)}
        self.by_name: dict[str, list[Tag]] = {}
        self.by_attr: dict[str, list[Tag]] = {}
        for tag in self.tags:
            self.by_name.setdefault(tag.name, []).append(tag)
            for key in tag.attrs:
                self.by_attr.setdefault(key, []).append(tag)
        self.h1_holders: set[int] = set()
        for h1 in self.by_name.get("h1", ()):
            parent = h1.parent
            while parent is not None and id(parent) not in self.h1_holders:
                self.h1_holders.add(id(parent))
                parent = parent.parent
        self._offsets: list[int] | None = None
        self._tables: dict[tuple[Any, ...], dict[int, int]] = {}
        self._memo: dict[str, dict[int, bool]] = {}

    # ------------------------------------------------------------ tags

    def named(self, *names: str) -> list[Tag]:
        """Tags with one of `names`, in page order."""
        if len(names) == 1:
            return list(self.by_name.get(names[0], ()))
        wanted = set(names)
        return [t for t in self.tags if t.name in wanted]

    def first(self, name: str) -> Tag | None:
        found = self.by_name.get(name)
        return found[0] if found else None

    def with_attr(self, attr: str, test: Callable[[Any], bool] | None = None) -> list[Tag]:
        """Tags carrying `attr` (whose value passes `test`), in page order."""
        found = self.by_attr.get(attr, [])
        if test is None:
            return list(found)
        return [t for t in found if test(t.attrs.get(attr))]

    def span(self, tag: Tag) -> tuple[int, int]:
        """Where `tag` and its descendants are in `tags`: `tags[start:end]` (the document:
        all of them)."""
        start = self._position.get(id(tag))
        if start is None:
            return -1, len(self.tags)
        return start, self._facts.tag_end[id(tag)]

    def within(self, tag: Tag, names: Iterable[str] | None = None) -> Iterator[Tag]:
        """Descendant tags of `tag` (with one of `names`), in page order."""
        start, stop = self.span(tag)
        wanted = set(names) if names is not None else None
        tags = self.tags
        for index in range(start + 1, stop):
            if wanted is None or tags[index].name in wanted:
                yield tags[index]

    def count_within(self, tag: Tag, names: tuple[str, ...]) -> int:
        """How many descendants of `tag` are named one of `names`."""
        return self._table(("count", names))[id(tag)]

    def text_len_within(self, tag: Tag, names: tuple[str, ...]) -> int:
        """Sum of `text_len` of the descendants of `tag` named one of `names` (nested ones
        counted at each level, as summing `find_all()` results would)."""
        return self._table(("text", names))[id(tag)]

    def _table(self, key: tuple[Any, ...]) -> dict[int, int]:
        """Per-tag sums over descendants, computed for all tags at once, children first."""
        table = self._tables.get(key)
        if table is None:
            kind, names = key
            wanted = set(names)
            table = {}
            for tag in [*reversed(self.tags), self.soup]:
                total = 0
                for child in tag.contents:
                    if isinstance(child, Tag) and id(child) in table:
                        total += table[id(child)]
                        if child.name in wanted:
                            total += 1 if kind == "count" else self.text_len(child)
                table[id(tag)] = total
            self._tables[key] = table
        return table

    def holds_h1(self, tag: Tag) -> bool:
        return id(tag) in self.h1_holders

    # ------------------------------------------------------------ text

    def _string_span(self, tag: Tag) -> tuple[int, int]:
        start = self._facts.string_start.get(id(tag))
        if start is None:
            return 0, len(self.strings)
        return start, self._facts.string_end[id(tag)]

    def strings_in(self, tag: Tag) -> Iterator[NavigableString]:
        """The visible strings inside `tag`, in page order."""
        start, stop = self._string_span(tag)
        strings = self.strings
        for index in range(start, stop):
            yield strings[index]

    def first_text(self, tag: Tag) -> str:
        """The first non-blank string inside `tag`, stripped (`next(tag.stripped_strings)`)."""
        index = self._facts.first_text.get(id(tag))
        return self.strings[index].strip() if index is not None else ""

    def text_len(self, tag: Tag) -> int:
        """`len(tag.get_text())` (visible text: script and style contents left out)."""
        if self._offsets is None:
            self._offsets = [0, *accumulate(len(s) for s in self.strings)]
        start, stop = self._string_span(tag)
        return self._offsets[stop] - self._offsets[start]

    def short_text(self, tag: Tag, limit: int) -> str | None:
        """`collapse(tag.get_text(" "))` when it is at most `limit` characters, else None,
        without joining the text of a large container."""
        if self.text_len(tag) > limit:
            visible = 0
            for piece in self.strings_in(tag):
                visible += len("".join(piece.split()))
                if visible > limit:  # the collapsed text has at least these characters
                    return None
        text = collapse(" ".join(self.strings_in(tag)))
        return text if len(text) <= limit else None

    # ------------------------------------------------------------ context

    def any_ancestor(self, tag: Tag, name: str, test: Callable[[Tag], bool]) -> bool:
        """Whether an ancestor of `tag` passes `test`; answers are kept under `name` for
        every element on the way, so asking for every tag costs one walk of the tree."""
        memo = self._memo.setdefault(name, {})
        chain: list[Tag] = []
        node = tag.parent
        result = False
        while node is not None:
            known = memo.get(id(node))
            if known is not None:
                result = known
                break
            chain.append(node)
            if test(node):
                result = True
                break
            node = node.parent
        # each element passed on the way shares the answer: its ancestors are the same
        for passed in chain:
            memo[id(passed)] = result
        return result

    def in_ignored_context(self, tag: Tag) -> bool:
        """Inside a sidebar, related list, comment section, site footer or navigation. A
        container holding the page's <h1> is the article's own (layout classes such as
        'is-sidebar-right' on the main column do not make it a sidebar)."""
        return self.any_ancestor(tag, "ignored", self._ignores)

    def _ignores(self, node: Tag) -> bool:
        name = node.name
        if name == "nav":
            return True
        if name == "aside" and not self.holds_h1(node):
            return True
        if name == "footer" and node.find_parent("article") is None:
            return True
        return bool(class_words(node) & IGNORE_CONTEXT_WORDS) and not self.holds_h1(node)


def class_words(tag: Tag) -> set[str]:
    """Words of a tag's class and id: 'td-post-sharing_top' -> {'td', 'post', 'sharing', 'top'}."""
    names = f"{attr_text(tag, 'class') or ''} {attr_text(tag, 'id') or ''}"
    return set(words_of(names))


def attr_text(tag: Tag, name: str) -> str | None:
    """An attribute's value as one string (multi-valued ones joined), None when absent."""
    value = tag.attrs.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value if isinstance(value, str) else None
