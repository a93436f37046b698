"""Dates as real publishers write them (layouts from the dev split of bench/corpora.py,
rebuilt in our own words); each test fails without the fix it names."""

from __future__ import annotations

from datetime import UTC, datetime

from transforms import extract_article

BODY = "".join(
    f"<p>{s}</p>" for s in (
        "Die Gemeinde hat am Dienstag ihre erste öffentliche Ladestation am Hafen eröffnet, "
        "mit zwölf Schnellladern neben dem Fähranleger und einem Dach aus Solarmodulen.",
        "Schon vor dem Durchschneiden des Bandes warteten Fahrer in einer Schlange, und der "
        "Bürgermeister sagte, der Rat wolle die Auslastung beobachten, bevor er über einen "
        "zweiten Standort am Bahnhof entscheide.",
        "Ein Taxiunternehmen, das im vergangenen Jahr die Hälfte seiner Flotte auf "
        "Elektroautos umgestellt hat, spart seinen Fahrern damit einen Umweg zur Autobahn.",
    ))


def page(*, lang: str, head: str = "", before: str = "", body: str = BODY) -> str:
    return f"""<!doctype html><html lang="{lang}"><head><title>Ladestation eröffnet</title>
<meta property="og:type" content="article">{head}</head><body><main><h1>Ladestation am
Hafen eröffnet</h1>{before}<div class="text">{body}</div></main></body></html>"""


URL = "https://hafen.example.test/nachrichten/ladestation-am-hafen-eroeffnet"


def test_a_dotted_date_after_the_author_in_a_byline_is_day_first():
    html = page(lang="de", before='<p class="date-author">Anna Muster, 01.12.2021</p>')
    article = extract_article(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() in ("2021-11-30", "2021-12-01")
    assert (article.published_at.month, article.published_at.year) != (1, 2021)


def test_a_naive_time_on_a_japanese_page_is_japan_time():
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "NewsArticle", "headline": "充電所が開業", '
            '"datePublished": "2019-04-25T16:00:00"}</script>')
    article = extract_article(page(lang="ja", head=head), URL)
    assert article.published_at == datetime(2019, 4, 25, 7, 0, tzinfo=UTC)


def test_an_offset_elsewhere_on_the_page_still_wins_over_the_language_zone():
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "NewsArticle", "headline": "Ladestation eröffnet", '
            '"datePublished": "2021-06-01T10:00:00", '
            '"dateModified": "2021-06-01T12:00:00+03:00"}</script>')
    article = extract_article(page(lang="de", head=head), URL)
    assert article.published_at == datetime(2021, 6, 1, 7, 0, tzinfo=UTC)


def test_a_date_printed_in_an_unmarked_category_line_is_found():
    html = page(lang="de", before='<p class="category"> 24. April 2020 | '
                                  '<a href="/nachrichten">Nachrichten</a></p>')
    article = extract_article(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() in ("2020-04-23", "2020-04-24")


def test_meta_tags_written_with_value_instead_of_content_are_read():
    head = ('<meta name="author" value="Anna Muster, Jonas Beispiel">'
            '<meta property="article:published_time" value="2021-06-01T10:00:00Z">')
    article = extract_article(page(lang="de", head=head), URL)
    assert list(article.authors) == ["Anna Muster", "Jonas Beispiel"]
    assert article.published_at == datetime(2021, 6, 1, 10, 0, tzinfo=UTC)
