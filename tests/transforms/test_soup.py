"""The fast tree builder builds bs4's own lxml tree, and its index answers as bs4 would."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings

from tests.transforms.mutations import GOLDEN, fuzz_examples, generated_pages
from transforms.charset import decode_page
from transforms.index import PageIndex, walk_tree
from transforms.soup import MAX_DEPTH, parse_page
from transforms.text import collapse


def shape(soup: BeautifulSoup) -> list[tuple[str, str | None, str]]:
    """Each node in document order: its class, tag name and attributes or text. (Not `str(n)`
    of a tag: that renders its whole subtree, quadratic in the page; the whole rendering is
    compared once by `decode`.)"""
    return [(type(n).__name__, n.name, repr(sorted(n.attrs.items())))
            if isinstance(n, Tag) else (type(n).__name__, None, str(n)[:40])
            for n in soup.descendants]


def assert_same_tree(text: str) -> None:
    ours = parse_page(text).soup
    theirs = BeautifulSoup(text, "lxml")
    assert ours.decode() == theirs.decode()
    assert shape(ours) == shape(theirs)
    # the linkage find_* and get_text follow, in both directions
    backwards = []
    node = ours._last_descendant()
    while node is not None:
        backwards.append(type(node).__name__)
        node = node.previous_element
    expected = []
    node = theirs._last_descendant()
    while node is not None:
        expected.append(type(node).__name__)
        node = node.previous_element
    assert backwards == expected
    for ours_node, their_node in zip(ours.descendants, theirs.descendants, strict=True):
        assert vars(ours_node).keys() == vars(their_node).keys()
        if isinstance(ours_node, Tag):
            assert ours_node.attrs == their_node.attrs
            assert {k: type(v) for k, v in ours_node.attrs.items()} == \
                {k: type(v) for k, v in their_node.attrs.items()}


def assert_index_answers_as_bs4(text: str) -> None:
    page = parse_page(text)
    walked = walk_tree(page.soup)
    facts = page._facts
    assert [id(t) for t in walked.tags] == [id(t) for t in facts.tags]
    assert [id(s) for s in walked.strings] == [id(s) for s in facts.strings]
    assert walked.tag_end == facts.tag_end
    assert walked.string_start == facts.string_start
    assert walked.string_end == facts.string_end
    assert walked.first_text == facts.first_text
    for tag in page.tags:
        if tag.name in ("script", "style", "template"):
            continue  # their own text is not visible text
        assert page.text_len(tag) == len(tag.get_text())
        assert page.first_text(tag) == next(tag.stripped_strings, "")
        assert list(page.within(tag)) == tag.find_all(True)
        assert page.count_within(tag, ("a", "p")) == len(tag.find_all(["a", "p"]))
        assert page.text_len_within(tag, ("p",)) == sum(len(p.get_text())
                                                       for p in tag.find_all("p"))
        short = page.short_text(tag, 80)
        full = collapse(tag.get_text(" "))
        assert short == (full if len(full) <= 80 else None)


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.name)
def test_golden_pages_build_the_same_tree(golden):
    text = decode_page(golden.html)
    assert_same_tree(text)
    assert_index_answers_as_bs4(text)


@settings(max_examples=fuzz_examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(generated_pages())
def test_generated_pages_build_the_same_tree(text):
    text = decode_page(text) if "<" in text[:4096] else text
    assert_same_tree(text)
    assert_index_answers_as_bs4(text)


def test_nesting_beyond_the_limit_is_flattened():
    depth = MAX_DEPTH + 50
    page = parse_page("<html><body>" + "<div>" * depth + "deep" + "</div>" * depth
                      + "<p>after</p></body></html>")
    deepest = max(len(list(t.parents)) for t in page.tags)
    assert deepest <= MAX_DEPTH + 1
    assert len(page.named("div")) == depth  # nothing lost, only the nesting
    assert [str(s) for s in page.strings][-2:] == ["deep", "after"]
    paragraph = page.first("p")
    assert isinstance(paragraph, Tag) and paragraph.parent is page.first("body")


def test_walked_index_of_any_soup():
    soup = BeautifulSoup("<div><p>One <a>two</a></p><p> </p><script>x</script></div>", "lxml")
    page = PageIndex(soup)
    div = page.first("div")
    assert div is not None
    assert page.text_len(div) == len("One two ")
    assert page.first_text(div) == "One"
    assert page.count_within(div, ("a",)) == 1
