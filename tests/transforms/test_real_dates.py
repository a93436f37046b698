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


def _unnamed(title: str, dateline: str, body: str) -> str:
    """A page that names no language anywhere (no `lang`, `og:locale` or JSON-LD)."""
    return f"""<!doctype html><html><head><title>{title}</title></head><body><main>
<h1>{title}</h1><div class="entry-meta">{dateline}</div><div class="text">{body}</div>
</main></body></html>"""


def test_a_japanese_page_naming_no_language_is_read_in_japan_time():
    # its title's script tells the language: dateparser is asked in Japanese only (not in
    # all ~200 locales) and the naive date is a Japanese one
    body = "".join(f"<p>{'港町に初めての公共充電拠点が開業し、運転手が列を作った。' * 4}</p>"
                   for _ in range(3))
    html = _unnamed("港町に充電拠点が開業", "2026年3月4日 09:15", body)
    article = extract_article(html, URL)
    assert article.published_at == datetime(2026, 3, 4, 0, 15, tzinfo=UTC)


def test_a_german_dateline_on_a_page_naming_no_language_is_still_read():
    html = _unnamed("Ladestation am Hafen eröffnet", "Veröffentlicht am 4. März 2026", BODY)
    article = extract_article(html, URL)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2026-03-04"


def test_pages_cleaned_in_threads_at_once_keep_their_own_date_languages():
    """htmldate's last resort reads text dates with a parser limited to the page's languages;
    sources clean in threads, so one page's languages must never stay installed for others."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from htmldate import extractors

    from transforms.datelines import _external_parser, _htmldate
    from transforms.soup import parse_page

    cases = {("de",): "<p>3. März 2026</p>", ("fr",): "<p>4 mars 2026</p>",
             ("es",): "<p>5 de marzo de 2026</p>", ("it",): "<p>6 marzo 2026</p>"}
    start = Barrier(len(cases) * 2)

    def read(languages: tuple[str, ...], markup: str) -> datetime | None:
        index = parse_page(f"<html><body><main>{markup}{BODY}</main></body></html>")
        start.wait()
        return _htmldate(index, "https://x.example.test/a", languages)

    with ThreadPoolExecutor(len(cases) * 2) as pool:
        found = list(pool.map(lambda case: read(*case), list(cases.items()) * 2))
    assert [d.day if d else None for d in found] == [3, 4, 5, 6] * 2
    # and outside a page, htmldate's own (all-locale) parser is back
    assert extractors.get_external_parser() not in {_external_parser(k) for k in cases}
