"""The enricher on the labelled set holds the floors the issue sets: entities precision >= 0.95
and recall >= 0.90, topics precision >= 0.90 (figures in bench/README.md)."""

from __future__ import annotations

from autonews.evaluation.labelled import evaluate, load_labelled


def test_the_labelled_set_is_large_and_multilingual():
    items = load_labelled()
    written = [i for i in items if i.article.source_id == "labelled"]
    assert len(items) >= 60 and len(written) >= 40
    assert {i.article.language for i in written} >= {"en", "de", "fr", "es", "it"}
    traps = [i for i in written if not i.entities]
    assert len(traps) >= 20  # texts where every ambiguous word means something else


def test_entity_precision_and_recall_hold_their_floors(enricher):
    result = evaluate(enricher)
    assert result.entities.precision >= 0.95, "\n".join(result.errors)
    assert result.entities.recall >= 0.90, "\n".join(result.errors)


def test_topic_precision_holds_its_floor(enricher):
    result = evaluate(enricher)
    assert result.topics.precision >= 0.90, "\n".join(e for e in result.errors if "topics" in e)


def test_no_trap_links_anything(enricher):
    """Harrison Ford, a golf tournament, a ram, Genesis the band...: nothing at all."""
    wrong = {}
    for item in load_labelled():
        if item.article.source_id == "labelled" and not item.entities:
            found = enricher.enrich(item.article).direct_entities()
            if found:
                wrong[item.id] = sorted(found)
    assert wrong == {}
