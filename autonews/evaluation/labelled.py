"""The labelled set (tests/enrichment/labelled/*.toml): texts with the entities they name and
the topics they are about, and the precision / recall of the enricher on them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime

from autonews.demo import catalog
from autonews.sources import PROJECT_ROOT
from enrichment import ArticleText, Enricher

LABELLED = PROJECT_ROOT / "tests" / "enrichment" / "labelled"


@dataclass(frozen=True)
class Labelled:
    id: str
    article: ArticleText
    entities: frozenset[str]
    topics: frozenset[str]


@dataclass
class Scores:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def add(self, found: frozenset[str], wanted: frozenset[str]) -> None:
        self.true_positives += len(found & wanted)
        self.false_positives += len(found - wanted)
        self.false_negatives += len(wanted - found)


@dataclass
class Evaluation:
    entities: Scores
    topics: Scores
    articles: int
    languages: dict[str, int]
    errors: list[str]


def load_labelled() -> list[Labelled]:
    demo = {f"{a.source}/{a.slug}": a for a in catalog.articles()}
    items: list[Labelled] = []
    for path in sorted(LABELLED.glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["article"]:
            if "ref" in entry:
                item = demo[entry["ref"]]
                article = ArticleText(entry["ref"], item.source, item.title, item.description,
                                      item.body_text, "en", item.published_utc)
                ident = entry["ref"]
            else:
                ident = entry["id"]
                when = datetime(2026, 11, 2, 12, tzinfo=UTC)
                article = ArticleText(ident, "labelled", entry["title"],
                                      entry.get("description"), entry["body"], entry["lang"],
                                      when)
            items.append(Labelled(ident, article, frozenset(entry["entities"]),
                                  frozenset(entry["topics"])))
    return items


def evaluate(enricher: Enricher, items: list[Labelled] | None = None) -> Evaluation:
    items = items if items is not None else load_labelled()
    entities, topics = Scores(), Scores()
    languages: dict[str, int] = {}
    errors: list[str] = []
    for item in items:
        result = enricher.enrich(item.article)
        found = result.direct_entities()
        found_topics = frozenset(t.topic_id for t in result.topics)
        entities.add(found, item.entities)
        topics.add(found_topics, item.topics)
        lang = item.article.language or "?"
        languages[lang] = languages.get(lang, 0) + 1
        for label, got, wanted in (("entities", found, item.entities),
                                   ("topics", found_topics, item.topics)):
            if got != wanted:
                errors.append(f"{item.id}: {label} extra {sorted(got - wanted)} "
                              f"missing {sorted(wanted - got)}")
    return Evaluation(entities, topics, len(items), languages, errors)
