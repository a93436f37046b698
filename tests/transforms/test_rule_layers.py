"""Rules in layers: families on their fixture pages, source switches and patterns, hooks,
the rules version, and the errors a bad `[source.extraction]` gets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import Tag

from autonews.core import ConfigError
from autonews.evaluation.golden import golden_pages, token_scores
from autonews.sources import DEFAULT_SOURCES, extraction_rules, load_sources
from transforms import Article, ExtractionRules, PageRejected, extract_article
from transforms.index import PageIndex
from transforms.layers import FAMILIES, ExtractionHook, layered, rules_version

PAGES = golden_pages()
# the golden pages' family labels that are registry families under another name
ALIASES = {"generic_divs": "generic"}


def family_of(label: str) -> str:
    return ALIASES.get(label, label)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_golden_pages_keep_their_expectations_under_their_family_rules(page):
    exp = page.expected
    rules = ExtractionRules(family=family_of(exp["family"]))
    if exp.get("reject"):
        with pytest.raises(PageRejected) as rejected:
            extract_article(page.html, exp["url"], rules)
        assert rejected.value.reason.value == exp["reject"]
        return
    article = extract_article(page.html, exp["url"], rules)
    assert article.title == exp["title"]
    assert article.authors == exp["authors"]
    assert token_scores(exp["body"], article.body)[2] >= 0.97
    assert article.rules_version == rules_version(rules)


def test_every_real_source_names_a_family_with_fixture_pages():
    fixture_families = {family_of(p.expected["family"]) for p in PAGES}
    sources = load_sources(DEFAULT_SOURCES, include_disabled=True)
    assert sources
    for source in sources:
        family = extraction_rules(source).family
        assert family in FAMILIES, source.id
        assert family in fixture_families, (source.id, family)


URL = "https://www.example.test/2026/03/04/plant-adds-shifts/"
TEXT = ("The plant in the north of the city will add a third shift from April, the company "
        "said, as orders for its small electric van keep running ahead of supply.")


def page_with(extra_body: str = "", head: str = "") -> str:
    return f"""<html lang="en"><head><title>Plant adds shifts | Example</title>{head}
<meta property="og:type" content="article"></head><body>
<h1>Plant adds a third shift for its van</h1>
<div class="entry-content"><p>{TEXT}</p><p>{TEXT.replace("April", "May")}</p>
{extra_body}<p>{TEXT.replace("north", "south")}</p></div></body></html>"""


def test_a_source_can_switch_off_a_generic_rule():
    html = page_with('<div class="related-box"><p>Related: our earlier report on the plant '
                     'and its two shifts, published last year in spring.</p></div>')
    default = extract_article(html, URL)
    assert "earlier report" not in default.body
    kept = extract_article(html, URL, ExtractionRules(disable=frozenset({"related"})))
    assert "earlier report on the plant" in kept.body


def test_source_text_patterns_remove_their_blocks():
    html = page_with("<p>Dieser Artikel erschien zuerst in unserer Printausgabe.</p>")
    assert "Printausgabe" in extract_article(html, URL).body
    rules = ExtractionRules(text_patterns=(r"dieser artikel erschien zuerst .*",))
    assert "Printausgabe" not in extract_article(html, URL, rules).body


def test_source_date_formats_and_byline_prefixes():
    html = page_with().replace(
        "<h1>", '<p class="stamp">Stand: 04/03/26 · 14h05</p><p>Texto: Ana Ruiz Vidal</p><h1>')
    plain = extract_article(html, URL)
    assert plain.authors != ["Ana Ruiz Vidal"]
    rules = ExtractionRules(date_formats=("Stand: %d/%m/%y · %Hh%M",),
                            byline_prefixes=("Texto:",), timezone="Europe/Madrid")
    article = extract_article(html, URL, rules)
    assert article.authors == ["Ana Ruiz Vidal"]
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2026-03-04T13:05:00+00:00"


class LeadParagraphHook(ExtractionHook):
    """Test hook: the body is the element marked `data-lead`, and the title is upper-cased."""

    version = "7"

    def select_root(self, page: PageIndex) -> Tag | None:
        return next((t for t in page.tags if t.has_attr("data-lead")), None)

    def finish(self, article: Article, page: PageIndex) -> Article:
        return dataclasses.replace(article, title=article.title.upper())


def test_a_hook_class_chooses_the_root_and_corrects_the_article():
    html = page_with(f'<section data-lead="1"><p>{TEXT.replace("van", "bus")}</p></section>')
    rules = ExtractionRules(hook=f"{__name__}:LeadParagraphHook")
    article = extract_article(html, URL, rules)
    assert article.body == TEXT.replace("van", "bus")
    assert article.title == "PLANT ADDS A THIRD SHIFT FOR ITS VAN"
    assert "LeadParagraphHook@7" not in article.rules_version  # fingerprinted, not spelled
    assert article.rules_version != rules_version(ExtractionRules())


def test_rules_version_changes_with_each_layer_and_only_then():
    base = ExtractionRules(family="wordpress_news")
    assert rules_version(base) == rules_version(ExtractionRules(family="wordpress_news"))
    assert rules_version(base) != rules_version(ExtractionRules(family="drupal"))
    assert rules_version(base) != rules_version(ExtractionRules(
        family="wordpress_news", remove_selectors=(".promo",)))
    assert rules_version(layered(base)) == rules_version(base)
    generic, family, source = rules_version(base).split("/")[1:]
    assert generic.startswith("g-") and family.startswith("wordpress_news-1.")
    assert source.startswith("s-")


def test_family_rules_merge_under_the_source():
    merged = layered(ExtractionRules(family="wordpress_news", remove_selectors=(".promo",),
                                     byline_prefixes=("Texto:",)))
    assert merged.remove_selectors[-1] == ".promo"
    assert ".sharedaddy" in merged.remove_selectors
    assert merged.byline_prefixes[0] == "Texto:"
    assert merged.preferred_selectors == FAMILIES["wordpress_news"].content_selectors


def _sources_file(tmp_path: Path, extraction: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f"""[[source]]
id = "example"
name = "Example"
home = "https://www.example.test/"
feeds = ["https://www.example.test/feed/"]

[source.extraction]
{extraction}
""", encoding="utf-8")
    return path


@pytest.mark.parametrize(("extraction", "key", "words"), [
    ('family = "joomla_v9"', "extraction.family", "unknown template family 'joomla_v9'"),
    ('disable = ["relatd"]', "extraction.disable", "unknown rule switch 'relatd'"),
    ('disable = ["css:related"]', "extraction.disable", "unknown rule switch"),
    ('hook = "no.such.module:Hook"', "extraction.hook", "cannot be imported"),
    ('hook = "transforms.rules:ExtractionRules"', "extraction.hook", "not an ExtractionHook"),
    ('text_patterns = ["(unclosed"]', "extraction.text_patterns", "bad regular expression"),
    ('date_formats = ["dd.mm.yyyy"]', "extraction.date_formats", "not a strptime format"),
    ('byline_prefixes = "Von"', "extraction.byline_prefixes", "list of non-empty strings"),
])
def test_bad_rule_keys_name_file_source_and_key(tmp_path, extraction, key, words):
    path = _sources_file(tmp_path, extraction)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    message = str(error.value)
    assert message.startswith(f"{path}: source 'example': key '{key}'")
    assert words in message


def test_good_rule_keys_reach_the_cleaner(tmp_path):
    path = _sources_file(tmp_path, '\n'.join([
        'family = "drupal"', 'disable = ["text:related", "density_root"]',
        'text_patterns = ["printausgabe .*"]', 'date_formats = ["%d.%m.%Y"]',
        'byline_prefixes = ["Von"]', f'hook = "{__name__}:LeadParagraphHook"']))
    rules = extraction_rules(load_sources(path)[0])
    assert rules.family == "drupal"
    assert rules.disabled("text", "related") and not rules.disabled("selector", "related")
    assert rules.disabled("density", "density_root")
    assert rules.hook == f"{__name__}:LeadParagraphHook"
    assert rules.text_patterns == ("printausgabe .*",)
    assert rules.date_formats == ("%d.%m.%Y",) and rules.byline_prefixes == ("Von",)
