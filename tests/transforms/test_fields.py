"""Titles, authors and dates on markup real publishers use (written for these tests)."""

from __future__ import annotations

import json

import pytest

from transforms import ExtractionRules, extract_article
from transforms.people import NameKind, name_kind

BODY = "".join(f"<p>Der Zulieferer will im Frühjahr mit der Produktion in Halle {n} beginnen "
               "und rund vierhundert Menschen in zwei Schichten beschäftigen, teilte das "
               "Unternehmen am Montag mit.</p>" for n in range(4))
URL = "https://www.beispiel.test/wirtschaft/zulieferer-baut-batteriewerk-100.html"


def page(h1: str, head: str = "", byline: str = "") -> str:
    return f"""<html lang="de"><head><title>Zulieferer baut Batteriewerk | Beispiel</title>
<meta property="og:site_name" content="Beispiel Nachrichten">{head}</head><body>
<article><h1>{h1}</h1>{byline}<div class="article-body">{BODY}</div></article></body></html>"""


def test_kicker_span_is_left_out_of_the_headline():
    h1 = ('<span class="headline__kicker">Basketball-Euroleague</span><span class="sr-only">:'
          '</span> <span class="headline__title">Nach der Pause kommt die Wende</span>')
    assert extract_article(page(h1), URL).title == "Nach der Pause kommt die Wende"


def test_headline_spans_join_as_they_render():
    h1 = '<span>Zulieferer</span> <span>baut Batteriewerk</span><span>:</span> <em>400 Jobs</em>'
    assert extract_article(page(h1), URL).title == "Zulieferer baut Batteriewerk: 400 Jobs"


def test_the_visible_headline_beats_the_seo_variant():
    head = ('<meta property="og:title" content="Batteriewerk: Zulieferer schafft 400 Jobs '
            '- jetzt alle Infos">')
    title = extract_article(page("Zulieferer baut Werk für Batteriezellen", head), URL).title
    assert title == "Zulieferer baut Werk für Batteriezellen"


def jsonld(**fields: object) -> str:
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x", **fields}
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


def test_a_naive_jsonld_time_takes_the_offset_a_meta_tag_gives():
    head = jsonld(datePublished="2026-06-04T09:15:00") + \
        '<meta property="article:published_time" content="2026-06-04T09:15:00+02:00">'
    article = extract_article(page("Zulieferer baut Batteriewerk", head), URL)
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-06-04T07:15:00+00:00"


def test_a_naive_time_alone_is_read_in_the_sources_time_zone():
    head = jsonld(datePublished="2026-01-14T09:15:00")
    rules = ExtractionRules(timezone="Europe/Berlin")
    article = extract_article(page("Zulieferer baut Batteriewerk", head), URL, rules)
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-01-14T08:15:00+00:00"


def test_co_authors_are_split_and_agencies_are_a_credit():
    head = jsonld(author=[{"@type": "Person", "name": "Anna Weber und Jonas Krüger"},
                          {"@type": "Organization", "name": "dpa"}])
    article = extract_article(page("Zulieferer baut Batteriewerk", head), URL)
    assert article.authors == ["Anna Weber", "Jonas Krüger"]
    assert article.credit is None  # a person is named: the agency is not needed


def test_an_agency_alone_is_the_credit_not_an_author():
    byline = '<div class="byline">Von <span class="author">dpa</span></div>'
    article = extract_article(page("Zulieferer baut Batteriewerk", byline=byline), URL)
    assert article.authors == []
    assert article.credit == "dpa"


@pytest.mark.parametrize(("name", "kind"), [
    ("Montag", NameKind.STRAY), ("Frankfurt, Germany", NameKind.STRAY),
    ("Germany", NameKind.STRAY), ("Reuters", NameKind.ORGANISATION),
    ("Beispiel Nachrichten", NameKind.ORGANISATION),
    ("Redaktion Wirtschaft", NameKind.ORGANISATION),
    ("Auto-Presse.de", NameKind.ORGANISATION), ("Anna Weber", NameKind.PERSON),
    ("Frankfurt", NameKind.STRAY), ("María José de la Fuente", NameKind.PERSON),
])
def test_names_are_sorted_into_people_organisations_and_stray_words(name, kind):
    assert name_kind(name, site_name="Beispiel Nachrichten", host="www.beispiel.test") is kind


def test_stray_words_never_come_back_as_authors():
    byline = '<p class="author-line">Montag, Frankfurt</p>'
    article = extract_article(page("Zulieferer baut Batteriewerk", byline=byline), URL)
    assert article.authors == []
