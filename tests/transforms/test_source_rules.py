"""Per-source overrides from `[source.extraction]` are honoured by the cleaner."""

from __future__ import annotations

from transforms import ExtractionRules, extract_article

URL = "https://www.example.test/news/plant-story"
TEXT = ("The plant will build battery packs for three models from next spring, the company "
        "said on Tuesday, adding shifts rather than new buildings. ")
PAGE = f"""<html><head><title>Battery line for three models at the plant | Example</title>
</head><body>
<div class="kicker-headline">Plant adds battery line for three models</div>
<div class="who">Words: Ana Ruiz</div><div class="when">04.03.2026, 09:15</div>
<div class="story"><p>{TEXT}</p><p>{TEXT.replace("Tuesday", "Monday")}</p>
<div class="promo-box"><p>Try our premium plan for a month.</p></div>
<p>{TEXT.replace("spring", "summer")}</p></div>
<div class="other"><p>{TEXT.replace("plant", "depot") * 3}</p></div>
</body></html>"""

RULES = ExtractionRules(
    content_selectors=(".story",),
    remove_selectors=(".promo-box",),
    title_selector=".kicker-headline",
    author_selector=".who",
    date_selector=".when",
    timezone="Europe/Berlin",
    language="de",
)


def test_source_selectors_are_used():
    article = extract_article(PAGE, URL, RULES)
    assert article.title == "Plant adds battery line for three models"
    assert article.authors == ["Ana Ruiz"]
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-03-04T08:15:00+00:00"
    assert article.date_source == "selector"
    assert "premium plan" not in article.body
    assert "depot" not in article.body
    assert article.body.count("battery packs") == 3


def test_title_selector_matching_nothing_falls_back():
    rules = ExtractionRules(content_selectors=(".story",), title_selector=".no-such-thing")
    title = extract_article(PAGE, URL, rules).title
    assert title == "Battery line for three models at the plant"
