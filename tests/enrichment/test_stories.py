"""Story grouping on fingerprints: near-duplicates, the same event told differently, and what
must stay apart (pure, in process)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from enrichment import ArticleText, group_stories, story_article
from enrichment.stories import WINDOW, fingerprint

WIRE = ("Volvo Cars will build its EX30 in Ghent from next spring, moving production of the "
        "small electric SUV closer to European buyers. The plant will add 700 jobs and "
        "build up to 150,000 cars a year. Volvo said the move would cut delivery times and "
        "protect the model from tariffs on cars made in China.")
T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)


def article(key, source, title, body, when=T0, lang="en"):
    return ArticleText(key, source, title, None, body, lang, when)


def stories_of(enricher, articles):
    return group_stories([story_article(a, enricher.enrich(a)) for a in articles])


def test_wire_copy_on_several_sites_is_one_story(enricher):
    copies = [article(f"k{n}", source, "Volvo to build EX30 in Ghent",
                      WIRE + (" Reporting by staff." if n else ""), T0 + timedelta(hours=n))
              for n, source in enumerate(("a", "b", "c"))]
    grouped = stories_of(enricher, copies)
    assert len(set(grouped.values())) == 1
    assert grouped["k0"].startswith("st_k0")  # named after the first article


def test_the_same_event_in_other_words_is_one_story(enricher):
    one = article("one", "a", "Volvo to build EX30 in Ghent", WIRE)
    other = article("two", "b", "EX30 production moves to Belgium",
                    "Volvo Cars is shifting its smallest electric car, the EX30, to the Ghent "
                    "factory. Up to 150,000 a year will be built there with 700 new jobs.",
                    T0 + timedelta(hours=5))
    assert len(set(stories_of(enricher, [one, other]).values())) == 1


def test_different_news_about_the_same_maker_stays_apart(enricher):
    one = article("one", "a", "Volvo to build EX30 in Ghent", WIRE)
    other = article("two", "b", "Volvo Cars posts record quarterly profit",
                    "Volvo Cars reported a record operating profit for the third quarter, "
                    "helped by strong XC60 sales in the United States and lower costs.",
                    T0 + timedelta(hours=3))
    assert len(set(stories_of(enricher, [one, other]).values())) == 2


def test_copies_further_apart_than_the_window_are_separate_stories(enricher):
    early = article("early", "a", "Volvo to build EX30 in Ghent", WIRE)
    late = article("late", "b", "Volvo to build EX30 in Ghent", WIRE,
                   T0 + WINDOW + timedelta(hours=1))
    assert len(set(stories_of(enricher, [early, late]).values())) == 2


def test_grouping_is_deterministic_whatever_the_order(enricher):
    items = [article(f"k{n}", s, "Volvo to build EX30 in Ghent", WIRE, T0 + timedelta(hours=n))
             for n, s in enumerate("abc")]
    assert stories_of(enricher, items) == stories_of(enricher, list(reversed(items)))


def test_a_fingerprint_is_small_and_stable():
    first = fingerprint("Title", None, WIRE)
    assert first == fingerprint("Title", None, WIRE)
    assert len(first.signature) == 256
    assert "#150,000" in first.terms and "#2026" not in first.terms
