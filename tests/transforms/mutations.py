"""Hypothesis strategies for hostile HTML: generated markup and mutated golden pages."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from autonews.evaluation.golden import golden_pages

GOLDEN = golden_pages()
FUZZ_ENV = "AUTONEWS_FUZZ_EXAMPLES"


def fuzz_examples(default: int) -> int:
    """Examples per fuzz test: `default` in the full suite; `AUTONEWS_FUZZ_EXAMPLES` when set
    (`scripts/test --fast` sets a few for the development loop; 2000 for a longer hunt)."""
    return int(os.environ.get(FUZZ_ENV) or default)
TAG_NAMES = ("p", "div", "span", "article", "section", "main", "aside", "nav", "footer",
             "header", "h1", "h2", "h3", "ul", "ol", "li", "table", "tr", "td", "blockquote",
             "pre", "a", "b", "em", "time", "br", "img", "form", "input", "script", "style",
             "figure", "figcaption", "noscript", "template", "svg", "iframe", "font", "center")
CLASS_WORDS = ("entry-content", "post-meta", "byline", "author", "share", "related",
               "comments", "sidebar", "ad", "newsletter", "breadcrumb", "tags", "date",
               "widget", "article-body", "caption", "footer", "menu", "x", "")
ATTRS = ("class", "id", "itemprop", "rel", "datetime", "content", "style", "hidden", "type",
         "property", "name", "href", "lang", "charset")
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "iso-8859-15",
             "shift_jis", "koi8-r", "gb18030", "cp1251", "mac_roman", "ascii")
JUNK = ("\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ufeff", "\u200b",
        "\u2028", "\ufffd", "&#0;", "&#1;", "&#x80;", "&#xD800;", "&#1114112;", "&nbsp;",
        "&amp", "<!--", "-->", "<![CDATA[", "]]>", "<?xml ?>", "<!DOCTYPE html>", "</", "<",
        ">", "\"", "'", "=", "\r\n", "\t")
_TAG = re.compile(rb"<[^<>]{0,200}>")

text_chunks = st.one_of(
    st.text(max_size=80),
    st.sampled_from(JUNK),
    st.sampled_from(("By Ana Ruiz", "Posted: March 4, 2026", "4 Min Read", "Share",
                     "Advertisement", "2026-03-04T09:15:00+01:00", "Updated 05.03.2026",
                     "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do.")),
)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    parts = []
    for name in draw(st.lists(st.sampled_from(ATTRS), max_size=3)):
        value = draw(st.one_of(st.sampled_from(CLASS_WORDS), st.text(max_size=20)))
        quote = draw(st.sampled_from(('"', "'", "")))
        parts.append(f" {name}={quote}{value}{quote}")
    return "".join(parts)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        name = draw(st.sampled_from(TAG_NAMES))
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = draw(st.sampled_from((f"</{name}>", f"</{name}>", f"</{name}>", "",
                                      "</div>", "</p>")))
        return f"<{name}{draw(attributes())}>{inner}{close}"

    return build()


markup = st.recursive(text_chunks, _element, max_leaves=40)


@st.composite
def generated_pages(draw: st.DrawFn) -> str:
    """A page of random elements, attributes and text, with or without a head."""
    head = draw(st.sampled_from((
        "",
        "<head><title>Headline of a generated test page</title></head>",
        '<head><meta property="og:title" content="A generated headline here">'
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":'
        '"A generated headline here","datePublished":"2026-03-04","author":'
        '{"@type":"Person","name":"Ana Ruiz"}}</script></head>',
    )))
    body = "".join(draw(st.lists(markup, max_size=8)))
    return draw(st.sampled_from((f"<html>{head}<body>{body}</body></html>", head + body, body)))


# ---------------------------------------------------------------- mutations of golden pages

Mutation = Callable[[bytes, st.DrawFn], bytes]


def _truncate(page: bytes, draw: st.DrawFn) -> bytes:
    return page[: draw(st.integers(0, len(page)))]


def _tag_spans(page: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in _TAG.finditer(page)]


def _cut_spans(page: bytes, spans: list[tuple[int, int]], draw: st.DrawFn,
               most: int) -> bytes:
    """`page` without up to `most` of `spans`, drawn by Hypothesis."""
    if not spans:
        return page
    doomed = set(draw(st.lists(st.sampled_from(spans), max_size=most)))
    out, last = [], 0
    for start, end in sorted(doomed):
        out.append(page[last:start])
        last = end
    out.append(page[last:])
    return b"".join(out)


def _delete_tags(page: bytes, draw: st.DrawFn) -> bytes:
    return _cut_spans(page, _tag_spans(page), draw, 20)


def _duplicate_slice(page: bytes, draw: st.DrawFn) -> bytes:
    start = draw(st.integers(0, len(page)))
    end = draw(st.integers(start, min(len(page), start + 5000)))
    at = draw(st.integers(0, len(page)))
    return page[:at] + page[start:end] * draw(st.integers(1, 3)) + page[at:]


def _shuffle_tags(page: bytes, draw: st.DrawFn) -> bytes:
    spans = _tag_spans(page)
    if len(spans) < 2:
        return page
    chosen = sorted(set(draw(st.lists(st.sampled_from(spans), min_size=2, max_size=12))))
    pieces = [page[s:e] for s, e in chosen]
    order = draw(st.permutations(pieces))
    out, last = [], 0
    for (start, end), piece in zip(chosen, order, strict=True):
        out.append(page[last:start] + piece)
        last = end
    out.append(page[last:])
    return b"".join(out)


def _inject_bytes(page: bytes, draw: st.DrawFn) -> bytes:
    for _ in range(draw(st.integers(1, 10))):
        at = draw(st.integers(0, len(page)))
        junk = draw(st.one_of(st.sampled_from([j.encode() for j in JUNK]),
                              st.binary(min_size=1, max_size=8)))
        page = page[:at] + junk + page[at:]
    return page


def _unclose_tags(page: bytes, draw: st.DrawFn) -> bytes:
    closers = [m.span() for m in re.finditer(rb"</[a-zA-Z0-9]+>", page)]
    return _cut_spans(page, closers, draw, 40)


def _reencode(page: bytes, draw: st.DrawFn) -> bytes:
    encoding = draw(st.sampled_from(ENCODINGS))
    return page.decode("utf-8", "replace").encode(encoding, "replace")


MUTATIONS: tuple[Mutation, ...] = (_truncate, _delete_tags, _duplicate_slice, _shuffle_tags,
                                   _inject_bytes, _unclose_tags, _reencode)


@dataclass(frozen=True)
class MutatedPage:
    """A golden page after mutations; its repr names them instead of printing the page."""

    name: str
    mutations: tuple[str, ...]
    page: bytes = field(repr=False)
    url: str
    content_type: str | None


@st.composite
def mutated_golden_pages(draw: st.DrawFn) -> MutatedPage:
    """A golden page after a few random mutations, with a random content type."""
    golden = draw(st.sampled_from(GOLDEN))
    page = golden.html
    chosen = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4))
    for mutation in chosen:
        page = mutation(page, draw)
    content_type = draw(st.sampled_from((
        None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
        "text/html; charset=utf-16", "text/html; charset=shift_jis",
        "text/html; charset=no-such-charset", "application/xhtml+xml", "text/html;;charset=",
    )))
    return MutatedPage(golden.name, tuple(m.__name__.strip("_") for m in chosen), page,
                       golden.expected["url"], content_type)
