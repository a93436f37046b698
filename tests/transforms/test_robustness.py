"""Any input gives an `Article` fit for PostgreSQL or a typed `PageRejected`: nothing else."""

from __future__ import annotations

import re
import time
from dataclasses import fields
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transforms.mutations import (
    GOLDEN,
    JUNK,
    fuzz_examples,
    generated_pages,
    mutated_golden_pages,
)
from transforms import Article, PageRejected, RejectReason, extract_article

URL = "https://www.example.test/2026/03/04/a-story/"
# What PostgreSQL or its UTF-8 encoding refuses, and what no reader should see in text.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
ROBUST = settings(max_examples=fuzz_examples(60), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(html: str | bytes, url: str = URL, content_type: str | None = None) -> Article | None:
    """Extract and check the contract; None when the page was rejected with a reason."""
    try:
        article = extract_article(html, url, content_type=content_type)
    except PageRejected as rejected:
        assert isinstance(rejected.reason, RejectReason)
        return None
    assert isinstance(article, Article)
    for item in fields(article):
        value = getattr(article, item.name)
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                assert not FORBIDDEN.search(text), (item.name, text[:200])
                assert text == text.strip() or item.name == "url", item.name
        if isinstance(value, datetime):
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0), item.name
    assert article.title and article.body and article.word_count > 0
    assert article.reading_time_minutes is not None and 1 <= article.reading_time_minutes
    article.content_hash  # noqa: B018 - must serialise
    return article


PARAGRAPH = ("<p>The plant will build battery packs for three models from next spring, "
             "the company said on Tuesday, adding shifts rather than new buildings.</p>")
ARTICLE = ("<html><head><title>Plant adds battery line for three models</title></head>"
           "<body><h1>Plant adds battery line for three models</h1><article>"
           + "".join(PARAGRAPH.replace("spring", f"spring ({n})") for n in range(5))
           + "</article></body></html>")


def paragraphs(count: int) -> str:
    """`count` different paragraphs (repeated blocks are dropped as template furniture)."""
    return "".join(PARAGRAPH.replace("spring", f"spring, part {n}") for n in range(count))


# ---------------------------------------------------------------- arbitrary input


@ROBUST
@given(st.text(max_size=3000))
def test_arbitrary_text(text):
    outcome(text)


@ROBUST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(data):
    outcome(data)


@ROBUST
@given(generated_pages(), st.sampled_from((None, "text/html", "text/html; charset=utf-8")))
def test_generated_markup(page, content_type):
    outcome(page, content_type=content_type)
    outcome(page.encode("utf-8", "surrogatepass"), content_type=content_type)


@ROBUST
@given(mutated_golden_pages())
def test_mutated_golden_pages(case):
    outcome(case.page, case.url, case.content_type)


@ROBUST
@given(st.sampled_from(GOLDEN), st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from(
    [j for j in JUNK if re.fullmatch(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u200b]", j)])),
    min_size=1, max_size=20))
def test_control_characters_anywhere_change_nothing(golden, insertions):
    """NUL and control characters are dropped before parsing, wherever they are."""
    text = golden.html.decode("utf-8")
    for position, char in insertions:
        at = position % (len(text) + 1)
        text = text[:at] + char + text[at:]
    url = golden.expected["url"]
    try:
        clean = extract_article(golden.html, url)
    except PageRejected as rejected:
        with pytest.raises(PageRejected) as again:
            extract_article(text, url)
        assert again.value.reason == rejected.reason
        return
    assert extract_article(text, url) == clean
    assert extract_article(text.encode("utf-8"), url) == clean


@ROBUST
@given(st.sampled_from(GOLDEN), st.text(max_size=60))
def test_any_content_type(golden, content_type):
    outcome(golden.html, golden.expected["url"], content_type)


# ---------------------------------------------------------------- explicit hostile pages


@pytest.mark.parametrize("page", [b"", "", " ", "\n\t", b"\x00" * 100, "<", "<html>",
                                  "<html><body></body></html>", "<!-- -->", "<?xml ?>"])
def test_empty_pages_are_rejected(page):
    with pytest.raises(PageRejected):
        extract_article(page, URL)


@pytest.mark.parametrize("page", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                  b"\x89PNG\r\n\x1a\n" + bytes(2000), bytes(range(256)) * 50,
                                  b"\x1f\x8b\x08\x00" + bytes(500)])
def test_binary_junk(page):
    assert outcome(page) is None


@pytest.mark.parametrize("tag", ["div", "span", "b", "ul><li", "table><tr><td", "blockquote"])
def test_deep_nesting(tag):
    name = tag.split(">")[0]
    page = ARTICLE.replace("<article>", "<article>" + f"<{tag}>" * 5000 + "deep"
                           + f"</{name}>" * 5000)
    started = time.perf_counter()
    article = outcome(page)
    assert time.perf_counter() - started < 10
    assert article is not None and "The plant will build battery packs" in article.body


def test_deep_json_ld_and_huge_numbers():
    head = ('<script type="application/ld+json">' + "[" * 50_000 + "</script>"
            '<script type="application/ld+json">{"@type":"NewsArticle","wordCount":'
            + "9" * 5000 + "}</script></head>")
    article = outcome(ARTICLE.replace("</head>", head))
    assert article is not None and article.title == "Plant adds battery line for three models"


def test_huge_page():
    page = ARTICLE.replace("</article>", paragraphs(25_000) + "</article>")  # ~4 MB
    assert len(page) > 3_000_000
    started = time.perf_counter()
    article = outcome(page.encode())
    assert time.perf_counter() - started < 30
    assert article is not None and article.word_count > 10_000


def test_huge_page_of_tiny_elements():
    page = ARTICLE.replace("</article>", "<span>x</span>" * 150_000 + "</article>")
    assert outcome(page) is not None


def test_truncated_everywhere():
    golden = GOLDEN[0].html
    for cut in range(0, len(golden), max(1, len(golden) // 97)):
        outcome(golden[:cut], GOLDEN[0].expected["url"])


# ---------------------------------------------------------------- values the page declares


@pytest.mark.parametrize("head", [
    '<link rel="canonical" href="http://[broken/x">',
    '<meta property="og:url" content="http://[broken/x">',
    '<meta property="og:image" content="http://[broken/x">',
    '<meta property="og:image" content="https://example.test:99999/x.jpg">',
    '<meta property="article:published_time" content="0001-01-01T00:00:00+05:00">',
    '<meta property="article:published_time" content="9999-12-31T23:59:59-05:00">',
    '<script type="application/ld+json">{"@type":"NewsArticle",'
    '"timeRequired":"PT99999999999999999999H","datePublished":"0000-00-00"}</script>',
    '<meta name="description" content="a&#1;b&#0;c&#x80;d&#xD800;">',
    '<script type="application/ld+json">{"@type":"NewsArticle","keywords":["a\\u0000b",'
    '"\\ud800"],"image":"http://x.test/\\u0000a.jpg","articleSection":"\\u0007Cars"}</script>',
])
def test_hostile_metadata_is_dropped_or_cleaned(head):
    article = outcome(ARTICLE.replace("</head>", head + "</head>"))
    assert article is not None
    assert article.canonical_url.startswith("https://www.example.test/")


def test_absurd_reading_time_is_ignored():
    page = ARTICLE.replace("<article>", "<article><span>99999999999 min read</span>")
    article = outcome(page)
    assert article is not None and article.reading_time_minutes == 1


@pytest.mark.parametrize("url", ["http://[broken/", "https://example.test:99999/x", "",
                                 "not a url", "https://example.test/\x00"])
def test_odd_urls(url):
    outcome(ARTICLE, url)


def test_lone_surrogates_in_a_str_page():
    article = outcome(ARTICLE.replace("<p>", "<p>\ud800\udfff", 2))
    assert article is not None
