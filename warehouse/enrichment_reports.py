"""What analysts ask of the enrichment tables: an entity's mentions over time, a day's stories
and top entities (the `trends`, `stories` and `entities` commands)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import psycopg


@dataclass(frozen=True)
class EntityRef:
    entity_id: str
    kind: str
    name: str


@dataclass(frozen=True)
class TrendRow:
    day: date
    source_id: str
    articles: int
    mentions: int
    title_articles: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "day": self.day.isoformat()}


@dataclass(frozen=True)
class StoryArticleRow:
    source_id: str
    published_at: datetime | None
    title: str
    canonical_url: str


@dataclass(frozen=True)
class DayStory:
    rank: int
    story_id: str
    title: str
    articles: int
    sources: list[str]
    first_published_at: datetime | None
    members: list[StoryArticleRow]

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "story_id": self.story_id, "title": self.title,
                "articles": self.articles, "sources": self.sources,
                "first_published_at": _iso(self.first_published_at),
                "members": [{**asdict(m), "published_at": _iso(m.published_at)}
                            for m in self.members]}


@dataclass(frozen=True)
class DayEntity:
    entity_id: str
    kind: str
    name: str
    articles: int
    mentions: int
    sources: int
    share: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def find_entity(conn: psycopg.Connection[Any], text: str) -> EntityRef | None:
    """The entity whose id, name or an alias is `text` (case-insensitive); ids first, then
    groups before brands before models (a name shared by several kinds means the larger)."""
    row = conn.execute(
        """SELECT entity_id, kind, name FROM entities
            WHERE entity_id = %(t)s OR lower(name) = lower(%(t)s)
               OR lower(%(t)s) = ANY(SELECT lower(a) FROM unnest(aliases) AS a)
            ORDER BY entity_id = %(t)s DESC, lower(name) = lower(%(t)s) DESC,
                     array_position(ARRAY['group', 'brand', 'supplier', 'person', 'model'],
                                    kind), entity_id
            LIMIT 1""", {"t": text.strip()}).fetchone()
    return EntityRef(*row) if row else None


def topic_exists(conn: psycopg.Connection[Any], topic_id: str) -> bool:
    return conn.execute("SELECT 1 FROM topics WHERE topic_id = %s",
                        (topic_id,)).fetchone() is not None


def entity_trend(conn: psycopg.Connection[Any], entity_id: str, first: date, last: date,
                 source_id: str | None = None) -> list[TrendRow]:
    """Articles and mentions of an entity per UTC day and source (days without any left out)."""
    rows = conn.execute(
        """SELECT day, source_id, articles, mentions, title_articles
             FROM entity_mentions_daily
            WHERE entity_id = %s AND day BETWEEN %s AND %s
              AND (%s::text IS NULL OR source_id = %s)
            ORDER BY day, source_id""",
        (entity_id, first, last, source_id, source_id)).fetchall()
    return [TrendRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]


def day_stories(conn: psycopg.Connection[Any], day: date, limit: int = 20) -> list[DayStory]:
    """The day's stories, most sources first, each with its articles of that day."""
    rows = conn.execute(
        """SELECT t.rank, t.story_id, t.title, t.articles, t.source_ids, t.first_published_at,
                  (SELECT json_agg(json_build_object(
                              'source_id', a.source_id, 'published_at', a.published_at,
                              'title', a.title, 'canonical_url', a.canonical_url)
                          ORDER BY a.published_at, a.url_hash)
                     FROM article_enrichments x JOIN articles a ON a.url_hash = x.url_hash
                    WHERE x.story_id = t.story_id
                      AND (a.published_at AT TIME ZONE 'UTC')::date = t.day)
             FROM top_stories_daily t
            WHERE t.day = %s
            ORDER BY t.rank, t.first_published_at, t.story_id
            LIMIT %s""", (day, limit)).fetchall()
    stories = []
    for rank, story_id, title, articles, sources, first, members in rows:
        stories.append(DayStory(int(rank), story_id, title, int(articles), list(sources), first,
                                [StoryArticleRow(m["source_id"], _parse(m["published_at"]),
                                                 m["title"], m["canonical_url"])
                                 for m in members or []]))
    return stories


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day_entities(conn: psycopg.Connection[Any], day: date, *, kind: str | None = None,
                 limit: int = 20) -> list[DayEntity]:
    """The day's most mentioned entities (in most articles first), with their share of
    voice among entities of their kind."""
    rows = conn.execute(
        """SELECT m.entity_id, m.kind, m.name, sum(m.articles), sum(m.mentions),
                  count(DISTINCT m.source_id), max(v.share)
             FROM entity_mentions_daily m
             LEFT JOIN entity_share_of_voice v ON v.day = m.day AND v.entity_id = m.entity_id
            WHERE m.day = %s AND (%s::text IS NULL OR m.kind = %s)
            GROUP BY m.entity_id, m.kind, m.name
            ORDER BY sum(m.articles) DESC, sum(m.mentions) DESC, m.entity_id
            LIMIT %s""", (day, kind, kind, limit)).fetchall()
    return [DayEntity(r[0], r[1] or "unknown", r[2] or r[0], int(r[3]), int(r[4]), int(r[5]),
                      float(r[6]) if r[6] is not None else None) for r in rows]
