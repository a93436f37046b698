"""The enrichment of one article (entities, topics, story fingerprint), and its version."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from enrichment.kb import CONFIG_DIR, KnowledgeBase
from enrichment.kb_loader import load_knowledge_base
from enrichment.linker import EntityLink, EntityLinker, Mention
from enrichment.scanner import Scanner, lower_same_length
from enrichment.stories import Fingerprint, StoryArticle, fingerprint
from enrichment.topics import Taxonomy, TopicScore, load_taxonomy

# Bump when the linking, scoring or story rules in code change: with the knowledge base's
# and the taxonomy's content hashes it makes the enrichment version stored per article.
RULES_VERSION = "1"


@dataclass(frozen=True)
class ArticleText:
    """What enrichment reads of an article."""

    url_hash: str
    source_id: str
    title: str
    description: str | None
    body: str
    language: str | None
    published_at: datetime | None

    def text(self) -> str:
        """Title, description and body as one text; positions are offsets in it."""
        parts = [self.title, self.description or "", self.body]
        return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Enrichment:
    url_hash: str
    entities: tuple[EntityLink, ...]
    topics: tuple[TopicScore, ...]
    fingerprint: Fingerprint
    mentions: tuple[Mention, ...]

    def direct_entities(self) -> frozenset[str]:
        return frozenset(e.entity_id for e in self.entities if e.direct_mentions)


class Enricher:
    """Loads the knowledge base and the taxonomy once; `enrich` is pure and fast."""

    def __init__(self, config_dir: Path = CONFIG_DIR, *, kb: KnowledgeBase | None = None,
                 taxonomy: Taxonomy | None = None) -> None:
        self.kb = kb or load_knowledge_base(config_dir)
        self.taxonomy = taxonomy or load_taxonomy(config_dir)
        self.linker = EntityLinker(self.kb)
        self.scanner = Scanner(self.linker.patterns() + self.taxonomy.patterns())
        self.version = hashlib.sha256(
            f"{RULES_VERSION}:{self.kb.version}:{self.taxonomy.version}".encode()
        ).hexdigest()[:16]

    def enrich(self, article: ArticleText) -> Enrichment:
        text = article.text()
        lower = lower_same_length(text)
        hits = self.scanner.scan(lower)
        language = (article.language or "").split("-")[0].lower() or None
        title_length = len(article.title)
        mentions = self.linker.mentions(text, lower, [h for h in hits if h.kind == "alias"],
                                        language)
        day: date | None = article.published_at.date() if article.published_at else None
        entities = self.linker.links(mentions, title_length, day)
        topics = self.taxonomy.score([h for h in hits if h.kind == "cue"], title_length,
                                     language, text.count(" ") + 1)
        return Enrichment(article.url_hash, tuple(entities), tuple(topics),
                          fingerprint(article.title, article.description, article.body),
                          tuple(mentions))

    def enrich_many(self, articles: Sequence[ArticleText]) -> list[Enrichment]:
        return [self.enrich(a) for a in articles]


def story_article(article: ArticleText, enrichment: Enrichment) -> StoryArticle:
    return StoryArticle(article.url_hash, article.source_id, article.published_at,
                        enrichment.direct_entities(), enrichment.fingerprint)
