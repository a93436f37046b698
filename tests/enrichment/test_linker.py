"""Entity linking rules, one by one, on short texts (the pure package, in process)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from enrichment import ArticleText


def links(enricher, title, body="", *, lang="en", when=datetime(2026, 11, 2, tzinfo=UTC)):
    result = enricher.enrich(ArticleText("x", "test", title, None, body, lang, when))
    return {link.entity_id: link for link in result.entities}


def direct(enricher, title, body="", **kwargs):
    return {e for e, link in links(enricher, title, body, **kwargs).items()
            if link.direct_mentions}


def test_a_model_counts_for_its_brand_and_group(enricher):
    found = links(enricher, "Jeep Compass gets a hybrid", "The Jeep Compass is built in Melfi.")
    assert found["jeep_compass"].direct_mentions == 2
    assert found["jeep"].mentions == 2 and found["jeep"].direct_mentions == 0
    assert found["stellantis"].mentions == 2 and found["stellantis"].in_title
    assert found["jeep_compass"].first_position == 0


def test_the_owner_is_the_one_of_the_article_date(enricher):
    body = "Opel said the Corsa would keep its German engineering."
    then = links(enricher, "Opel news", body, when=datetime(2016, 5, 1, tzinfo=UTC))
    now = links(enricher, "Opel news", body, when=datetime(2026, 5, 1, tzinfo=UTC))
    assert "general_motors" in then and "stellantis" not in then
    assert "stellantis" in now and "general_motors" not in now
    earlier_volvo = links(enricher, "Volvo Cars", "", when=datetime(2005, 1, 1, tzinfo=UTC))
    assert "ford_motor" in earlier_volvo and "geely_holding" not in earlier_volvo


def test_the_longest_alias_wins(enricher):
    assert direct(enricher, "Bill Ford speaks", "Bill Ford addressed shareholders.") == {
        "bill_ford"}
    assert direct(enricher, "Toyota Motor Corporation", "") == {"toyota_motor"}


def test_harrison_ford_is_not_ford_even_further_down(enricher):
    body = ("Harrison Ford bought a vintage car at the auction. Ford said the car reminded "
            "him of his first film.")
    assert direct(enricher, "An actor and his car", body) == set()
    company = "Ford said the car would be built in Kentucky, next to the Ford F-150 line."
    assert {"ford", "ford_f150"} <= direct(enricher, "Plant news", company)


@pytest.mark.parametrize("title,body", [
    ("Golf Open ends in playoff", "The Golf Open was won on the final hole."),
    ("A smart move", "Smart thermostats save energy."),
    ("Genesis tour", "Genesis played to 50,000 fans."),
    ("Leaf season", "Leaf litter is a hazard on rails."),
    ("Model 3 is best", "Model 3 beat the other statistical models."),
    ("Seat in parliament", "The party kept the Seat in the election."),
    ("Ram on the road", "The Ram held up drivers on the motorway."),
])
def test_ambiguous_names_need_their_family(enricher, title, body):
    assert direct(enricher, title, body) == set()


@pytest.mark.parametrize("title,body,expected", [
    ("Volkswagen updates the Golf", "The Golf gets a new screen.", {"volkswagen", "vw_golf"}),
    ("Tesla cuts prices", "The Model 3 is now cheaper.", {"tesla", "tesla_model_3"}),
    ("Nissan Leaf", "The Leaf is built in Sunderland.", {"nissan_leaf"}),
    ("Hyundai's Genesis", "Genesis sold more cars.", {"hyundai", "genesis"}),
    ("Cupra and Seat", "Seat will build the car in Martorell.", {"cupra", "seat"}),
])
def test_ambiguous_names_link_with_their_family(enricher, title, body, expected):
    assert direct(enricher, title, body) == expected


def test_context_resolves_an_ambiguous_brand_without_its_family(enricher):
    assert direct(enricher, "Lincoln", "Lincoln showed a new electric SUV to dealers.") == {
        "lincoln"}
    assert direct(enricher, "Lincoln", "Lincoln gave a speech at Gettysburg.") == set()


def test_case_rules(enricher):
    assert direct(enricher, "VOLKSWAGEN RECALLS CARS", "") == {"volkswagen"}
    assert direct(enricher, "volkswagen", "") == set()  # not a name as written
    assert direct(enricher, "Kia sales", "KIA in the war memorial list.") == {"kia"}


def test_language_specific_aliases(enricher):
    assert "volkswagen_group" in direct(enricher, "Der VW-Konzern spart", lang="de")
    assert "volkswagen_group" not in direct(enricher, "The VW-Konzern saves", lang="en")


def test_surnames_need_the_person_or_their_company(enricher):
    assert direct(enricher, "Tavares speaks", "Tavares said little.") == set()
    assert direct(enricher, "Stellantis", "Tavares said little.") == {
        "stellantis", "carlos_tavares"}


def test_a_person_does_not_count_for_the_company(enricher):
    found = links(enricher, "Mary Barra speaks", "")
    assert set(found) == {"mary_barra"}
