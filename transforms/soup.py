"""BeautifulSoup trees built straight from lxml's parser events: the `lxml` tree, faster."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from bs4 import BeautifulSoup
from bs4.builder import ParserRejectedMarkup
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import (
    Comment,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)
from lxml import etree

from transforms.index import VISIBLE_STRINGS, FactsRecorder, PageIndex, TreeFacts

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"  # what bs4 collapses in whitespace-only strings
# Elements nested deeper than this are attached at this depth instead (browsers do the
# same at 512): no news page comes close, and it bounds what recursive code meets.
MAX_DEPTH = 256
# Elements after this many are not built (nor their text): a news page has a few thousand,
# and every pass of the cleaner costs time per element (200,000 flat elements took 23 s).
MAX_ELEMENTS = 25_000


class _Target:
    """lxml parser target creating bs4 elements directly.

    bs4's own lxml builder routes every event through generic machinery (namespace maps,
    a tag stack keyed by name, attribute dict copies), which costs as much as the whole
    extraction. HTML from lxml has no namespaces and balanced events, so a plain stack
    suffices; the tree is the one `BeautifulSoup(text, "lxml")` builds. On the way it
    records the `TreeFacts` the cleaner's `PageIndex` needs, sparing a second walk.
    """

    def __init__(self, soup: BeautifulSoup, builder: LXMLTreeBuilder) -> None:
        self.soup = soup
        self.builder = builder
        self.current: Tag = soup
        self.stack: list[Tag] = [soup]
        self.flattened = 0  # open elements beyond MAX_DEPTH, attached but not entered
        self.elements = 0
        self.dropped = 0  # open elements beyond MAX_ELEMENTS, not built at all
        self.recorder = FactsRecorder()
        self.facts = self.recorder.facts
        self.last: PageElement | None = None  # as bs4: the first node has no previous
        self.text: list[str] = []
        self.preserve = 0
        self.container: list[type[NavigableString]] = []
        self.list_attrs: dict[str, set[str]] = builder.cdata_list_attributes or {}
        self.universal = self.list_attrs.get("*", set())
        self.containers = builder.string_containers
        self.attr_class = builder.attribute_dict_class
        self.value_list = builder.attribute_value_list_class
        self.preserve_tags = builder.preserve_whitespace_tags or set()
        # Every tag starts as a copy of one built by bs4 itself, so any attribute a bs4
        # release adds to `Tag.__init__` is there; only the per-tag ones are set below.
        prototype = Tag(soup, builder, "div", namespaces=soup._namespaces)
        self.prototype = dict(vars(prototype))
        self.main_strings = Tag.MAIN_CONTENT_STRING_TYPES
        self.empty_tags = builder.empty_element_tags or set()

    def _append(self, element: PageElement) -> None:
        parent = self.current
        last = self.last
        element.parent = parent
        element.previous_element = last
        if last is not None:
            last.next_element = element
        element.next_element = None
        siblings = parent.contents
        if siblings:
            previous = siblings[-1]
            element.previous_sibling = previous
            previous.next_sibling = element
        else:
            element.previous_sibling = None
        element.next_sibling = None
        siblings.append(element)
        self.last = element

    def _flush(self, kind: type[NavigableString] | None = None) -> None:
        if not self.text:
            return
        data = "".join(self.text) if len(self.text) > 1 else self.text[0]
        self.text = []
        if not self.preserve and not data.strip(_ASCII_SPACES):
            data = "\n" if "\n" in data else " "
        if kind is None:
            kind = self.container[-1] if self.container else NavigableString
        # what NavigableString() does, without linking it twice
        string = str.__new__(kind, data)
        string.hidden = False
        self._append(string)
        if kind in VISIBLE_STRINGS:
            self.recorder.text(string)

    def start(self, name: str, attrib: Any) -> None:
        if self.elements >= MAX_ELEMENTS:
            self.dropped += 1
            return
        self.elements += 1
        if self.text:
            self._flush()
        values = dict(attrib)
        if values:
            specific = self.list_attrs.get(name)
            for key, value in values.items():
                if key in self.universal or (specific and key in specific):
                    values[key] = self.value_list(value.split())
        attrs = self.attr_class(values)
        kind = self.containers.get(name)
        parent, last = self.current, self.last
        siblings = parent.contents
        # the instance dict in one go; linkage as `_append` sets it
        state = self.prototype.copy()
        state["name"] = name
        state["attrs"] = attrs
        state["contents"] = []
        state["can_be_empty_element"] = name in self.empty_tags
        state["interesting_string_types"] = self.main_strings if kind is None else {kind}
        state["parent"] = parent
        state["previous_element"] = last
        state["previous_sibling"] = siblings[-1] if siblings else None
        tag = Tag.__new__(Tag)
        tag.__dict__ = state
        if last is not None:
            last.next_element = tag
        if siblings:
            siblings[-1].next_sibling = tag
        siblings.append(tag)
        self.last = tag
        if name == "meta":
            self.builder.set_up_substitutions(tag)
        self.recorder.opened(tag)
        if len(self.stack) > MAX_DEPTH:
            self.flattened += 1
            self.recorder.closed(tag)
            return
        self.stack.append(tag)
        self.current = tag
        if name in self.preserve_tags:
            self.preserve += 1
        if kind is not None:
            self.container.append(kind)

    def end(self, name: str) -> None:
        if self.dropped:
            self.dropped -= 1
            return
        if self.text:
            self._flush()
        if self.flattened:
            self.flattened -= 1
            return
        if len(self.stack) == 1:  # never pop the document itself
            return
        tag = self.stack.pop()
        self.recorder.closed(tag)
        if tag.name in self.preserve_tags:
            self.preserve -= 1
        if tag.name in self.containers:
            self.container.pop()
        self.current = self.stack[-1]

    def data(self, text: str) -> None:
        if self.elements < MAX_ELEMENTS:
            self.text.append(text)

    def comment(self, text: str) -> None:
        if self.elements >= MAX_ELEMENTS:
            return
        self._flush()
        self.text.append(text)
        self._flush(Comment)

    def pi(self, target: str, data: str) -> None:
        self._flush()
        self.text.append(f"{target} {data}")
        self._flush(ProcessingInstruction)

    def doctype(self, name: str, pubid: str, system: str) -> None:
        self._flush()
        self.text.append(Doctype._string_for_name_and_ids(name, pubid, system))
        self._flush(Doctype)

    def close(self) -> None:
        self._flush()
        while len(self.stack) > 1:
            self.end(self.stack[-1].name)


class FastLXMLTreeBuilder(LXMLTreeBuilder):
    """`LXMLTreeBuilder` with a direct parser target (see `_Target`)."""

    facts: TreeFacts | None = None
    cut = False  # the page had more than MAX_ELEMENTS elements

    def prepare_markup(
        self,
        markup: str | bytes,
        user_specified_encoding: str | None = None,
        document_declared_encoding: str | None = None,
        exclude_encodings: Iterable[str] | None = None,
    ) -> Iterator[tuple[str | bytes, str | None, str | None, bool]]:
        """As bs4's, without its warning for XHTML parsed as HTML: here that is intended."""
        if isinstance(markup, str):
            yield markup.removeprefix("\N{BYTE ORDER MARK}"), None, None, False
            yield markup.encode("utf-8", "surrogatepass"), "utf-8", None, False
            return
        yield from super().prepare_markup(markup, user_specified_encoding,
                                          document_declared_encoding, exclude_encodings)

    def feed(self, markup: str | bytes) -> None:
        assert self.soup is not None
        target = _Target(self.soup, self)
        try:
            parser = etree.HTMLParser(target=target, recover=True,
                                      encoding=self.soup.original_encoding)
            parser.feed(markup)
            parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as exc:
            raise ParserRejectedMarkup(exc) from exc
        self.facts = target.facts
        self.cut = target.dropped > 0 or target.elements >= MAX_ELEMENTS


def parse_page(text: str) -> PageIndex:
    """The page as a BeautifulSoup tree (lxml's HTML parser), indexed. A page cut at
    `MAX_ELEMENTS` keeps no markup: what reads it must read the (cut) tree instead."""
    builder = FastLXMLTreeBuilder()
    soup = BeautifulSoup(text, builder=builder)
    return PageIndex(soup, builder.facts, None if builder.cut else text)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off while one page is cleaned.

    A tree (parent/child links are cycles) lives exactly as long as its page. Collections
    during the work would walk every node, find it alive and promote it to an older
    generation, where it dies as garbage only a full collection frees. Paused, the tree
    dies young: the first collection afterwards frees it in one pass. (~15% of the time.)
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
