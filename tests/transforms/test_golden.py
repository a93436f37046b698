"""The cleaner against golden pages written for this project (12 template families)."""

from __future__ import annotations

import statistics

import pytest

from autonews.evaluation.golden import golden_pages, token_scores
from transforms import PageRejected, extract_article

PAGES = golden_pages()
ARTICLES = [p for p in PAGES if not p.expected.get("reject")]
REJECTS = [p for p in PAGES if p.expected.get("reject")]


def test_golden_set_covers_the_families():
    families = {p.expected["family"] for p in PAGES}
    assert len(PAGES) >= 60
    assert len(families) >= 10, families
    assert {p.expected.get("language") for p in ARTICLES} >= {"en", "de", "fr", "es"}


@pytest.mark.parametrize("page", ARTICLES, ids=lambda p: p.name)
def test_article_fields(page):
    exp = page.expected
    article = extract_article(page.html, exp["url"])
    assert article.title == exp["title"]
    assert article.authors == exp["authors"]
    got_published = article.published_at.isoformat() if article.published_at else None
    assert got_published == exp["published_at"]
    got_modified = article.modified_at.isoformat() if article.modified_at else None
    assert got_modified == exp.get("modified_at")
    for key in ("language", "site_name", "section", "canonical_url", "is_paywalled"):
        if exp.get(key) is not None:
            assert getattr(article, key) == exp[key], key
    if exp.get("reading_time_minutes") is not None:
        assert article.reading_time_minutes == exp["reading_time_minutes"]
    if exp.get("tags"):
        assert article.tags == exp["tags"]
    if exp.get("page_kind"):
        assert article.page_kind.value == exp["page_kind"]
    assert 0 < article.extraction_confidence <= 1
    precision, recall, f1 = token_scores(exp["body"], article.body)
    assert f1 >= 0.97, f"precision {precision:.3f} recall {recall:.3f}"
    assert article.word_count > 0 and article.reading_time_minutes >= 1


@pytest.mark.parametrize("page", REJECTS, ids=lambda p: p.name)
def test_non_articles_are_rejected_with_their_reason(page):
    with pytest.raises(PageRejected) as rejected:
        extract_article(page.html, page.expected["url"])
    assert rejected.value.reason.value == page.expected["reject"]


def test_mean_body_f1_over_the_golden_set():
    scores = [token_scores(p.expected["body"], extract_article(p.html, p.expected["url"]).body)[2]
              for p in ARTICLES]
    assert statistics.mean(scores) >= 0.99


def test_body_never_carries_the_seed_pages_boilerplate():
    phrases = ("Share This Article", "Leave a comment", "Leave a Reply", "Min Read",
               "Your email address will not be published", "Required fields are marked")
    for page in ARTICLES:
        body = extract_article(page.html, page.expected["url"]).body
        for phrase in phrases:
            assert phrase.lower() not in body.lower(), (page.name, phrase)
        for author in page.expected["authors"]:
            assert f"By {author}" not in body, page.name
        assert not body.startswith(page.expected["title"]), page.name
