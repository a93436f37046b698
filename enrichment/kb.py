"""The automotive knowledge base: groups, brands, models, suppliers and people from config/kb."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from autonews.core.errors import ConfigError

log = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
KB_FILES = ("groups.toml", "brands.toml", "models.toml", "suppliers.toml", "people.toml",
            "context.toml")
KINDS = ("group", "brand", "model", "supplier", "person")
BODIES = frozenset({"sedan", "hatchback", "wagon", "suv", "pickup", "van", "coupe",
                    "convertible", "mpv", "sports", "truck", "bus"})
POWERTRAINS = frozenset({"ice", "mhev", "hev", "phev", "erev", "bev", "fcev"})
SECTORS = frozenset({"batteries", "battery_materials", "chips", "autonomy", "parts", "tyres",
                     "software"})
RESOLVERS = frozenset({"family", "context"})
CASES = frozenset({"default", "exact", "any"})
BARE = frozenset({"family", "unambiguous", "off"})
ALIAS_KEYS = frozenset({"text", "lang", "ambiguous", "resolve", "case", "not_before",
                        "not_after"})
_COMMON = {"id", "name", "aliases"}
ENTRY_KEYS = {
    "group": _COMMON | {"country", "parent", "until"},
    "brand": _COMMON | {"country", "owners"},
    "model": _COMMON | {"body", "powertrain", "bare", "not_before", "not_after"},
    "supplier": _COMMON | {"country", "sector"},
    "person": _COMMON | {"roles"},
}


class KnowledgeBaseError(ConfigError):
    """A knowledge-base file that cannot be used; the message names file, entry and key."""


@dataclass(frozen=True)
class Alias:
    """One way of writing an entity, and the rules that decide when it is a mention of it."""

    text: str
    entity_id: str
    lang: str = "*"
    ambiguous: bool = False
    resolve: tuple[str, ...] = ("family", "context")
    case: str = "default"  # default: as written or in capitals; exact: as written; any
    not_before: frozenset[str] = frozenset()  # lower-cased words that veto when just before
    not_after: frozenset[str] = frozenset()  # ... or just after the mention


@dataclass(frozen=True)
class Link:
    """A parent of an entity (a brand's owner, a model's brand, a person's organisation),
    valid from `start` to `end` (both included; None: open)."""

    parent_id: str
    relation: str  # owned_by | model_of | part_of | works_for
    start: date | None = None
    end: date | None = None
    title: str | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None:  # no date: today's structure
            return self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    name: str
    country: str | None = None
    links: tuple[Link, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass
class KnowledgeBase:
    entities: dict[str, Entity]
    aliases: list[Alias]
    context_words: dict[str, tuple[str, ...]]
    version: str
    _family: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def ancestors(self, entity_id: str, day: date | None) -> list[str]:
        """Entities a mention of `entity_id` also counts for on `day`: a model's brand, the
        brand's owners then, their parent groups. People and suppliers count for no one."""
        found: list[str] = []
        todo = [entity_id]
        while todo:
            current = self.entities[todo.pop()]
            for link in current.links:
                if link.relation == "works_for" or not link.valid_on(day):
                    continue
                if link.parent_id not in found:
                    found.append(link.parent_id)
                    todo.append(link.parent_id)
        return found

    def family(self, entity_id: str) -> frozenset[str]:
        """The entity, everything above and below it at any time, a model's sibling models,
        a brand's sibling brands and the people of an organisation: naming one makes an
        ambiguous alias of another credible."""
        if not self._family:
            self._family.update(_families(self.entities))
        return self._family.get(entity_id, frozenset({entity_id}))


def _families(entities: Mapping[str, Entity]) -> dict[str, frozenset[str]]:
    up: dict[str, set[str]] = {e: set() for e in entities}
    down: dict[str, set[str]] = {e: set() for e in entities}
    for entity in entities.values():
        for link in entity.links:
            up[entity.id].add(link.parent_id)
            down[link.parent_id].add(entity.id)

    def closure(start: str, graph: dict[str, set[str]]) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph[node])
        return seen

    families: dict[str, frozenset[str]] = {}
    for entity in entities.values():
        members = {entity.id} | closure(entity.id, up) | closure(entity.id, down)
        if entity.kind in ("model", "brand"):  # sibling models, sibling brands
            for link in entity.links:
                members |= down[link.parent_id]
        families[entity.id] = frozenset(members)
    return families


def lower_words(items: Iterable[str]) -> list[str]:
    return [w.strip().lower() for w in items]
