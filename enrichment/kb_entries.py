"""Checking the knowledge base's entries one by one and turning them into entities and aliases."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from enrichment.kb import (
    ALIAS_KEYS,
    BARE,
    BODIES,
    CASES,
    ENTRY_KEYS,
    POWERTRAINS,
    RESOLVERS,
    SECTORS,
    Alias,
    Entity,
    KnowledgeBaseError,
    Link,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANG = re.compile(r"^(\*|[a-z]{2})$")


class EntryReader:
    """Reads the tables of each file in turn, collecting entities and aliases; every problem
    is a KnowledgeBaseError "<file>: <kind> '<id>': key '<key>': <problem>"."""

    def __init__(self, kb_dir: Path) -> None:
        self.kb_dir = kb_dir
        self.entities: dict[str, Entity] = {}
        self.aliases: list[Alias] = []
        self._where: dict[str, str] = {}

    # ------------------------------------------------------------ per file

    def read_groups(self, table: Mapping[str, Any]) -> None:
        for entry in self._entries("groups.toml", table, "group"):
            ctx = self._ctx("groups.toml", "group", entry)
            links: tuple[Link, ...] = ()
            if "parent" in entry:
                links = (Link(self._str(ctx, entry, "parent"), "part_of"),)
            attributes = {}
            if "until" in entry:
                attributes["until"] = self._year(ctx, entry, "until")
            self._add(ctx, entry, "group", links, attributes)

    def read_brands(self, table: Mapping[str, Any]) -> None:
        for entry in self._entries("brands.toml", table, "brand"):
            ctx = self._ctx("brands.toml", "brand", entry)
            owners = entry.get("owners", [])
            if not isinstance(owners, list):
                raise self._error(ctx, "owners", "expected a list of { group, from, to }")
            links = []
            for n, owner in enumerate(owners):
                key = f"owners[{n}]"
                if not isinstance(owner, dict) or set(owner) - {"group", "from", "to"} \
                        or "group" not in owner:
                    raise self._error(ctx, key, "expected { group = ..., from = ..., to = ... }")
                start = _day(owner.get("from"), start=True)
                end = _day(owner.get("to"), start=False)
                if owner.get("from") is not None and start is None \
                        or owner.get("to") is not None and end is None:
                    raise self._error(ctx, key, "from / to must be a year or a date")
                if start and end and end < start:
                    raise self._error(ctx, key, f"ends ({end}) before it starts ({start})")
                links.append(Link(str(owner["group"]), "owned_by", start, end))
            self._add(ctx, entry, "brand", tuple(links), {})

    def read_models(self, table: Mapping[str, Any]) -> None:
        for brand_id, models in table.items():
            if not isinstance(models, list):
                raise KnowledgeBaseError(f"{self.kb_dir / 'models.toml'}: key '{brand_id}': "
                                         "expected a list of models")
            brand = self.entities.get(brand_id)
            if brand is None or brand.kind != "brand":
                raise KnowledgeBaseError(f"{self.kb_dir / 'models.toml'}: key '{brand_id}': "
                                         "no brand with this id in brands.toml")
            for entry in models:
                self._read_model(brand, entry)

    def _read_model(self, brand: Entity, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise KnowledgeBaseError(f"{self.kb_dir / 'models.toml'}: key '{brand.id}': "
                                     "expected { id = ..., name = ... } tables")
        ctx = self._ctx("models.toml", "model", entry)
        self._check_keys(ctx, entry, "model")
        attributes: dict[str, Any] = {}
        body = self._str(ctx, entry, "body")
        if body not in BODIES:
            raise self._error(ctx, "body", f"unknown body '{body}' (one of "
                              f"{', '.join(sorted(BODIES))})")
        attributes["body"] = body
        if "powertrain" in entry:
            kinds = entry["powertrain"]
            if not isinstance(kinds, list) or not kinds or \
                    any(k not in POWERTRAINS for k in kinds):
                raise self._error(ctx, "powertrain", f"expected a list of "
                                  f"{', '.join(sorted(POWERTRAINS))}")
            attributes["powertrain"] = list(kinds)
        bare = entry.get("bare", "family")
        if bare not in BARE:
            raise self._error(ctx, "bare", f"'{bare}' is not one of {', '.join(sorted(BARE))}")
        name = self._str(ctx, entry, "name")
        brand_names = [brand.name, *brand.aliases]
        if any(name.startswith(f"{b} ") for b in brand_names):
            bare = "unambiguous"  # "Polestar 2" names its brand already
        explicit = {a.get("text") for a in entry.get("aliases", []) if isinstance(a, dict)}
        derived: list[dict[str, Any]] = [
            {"text": f"{b} {name}"} for b in brand_names if f"{b} {name}" not in explicit]
        if bare != "off" and name not in explicit:
            derived.append({"text": name, "ambiguous": bare == "family", "resolve": ["family"],
                            "case": "exact",
                            **{k: entry[k] for k in ("not_before", "not_after") if k in entry}})
        self._add(ctx, entry, "model", (Link(brand.id, "model_of"),), attributes, derived,
                  name_is_alias=False)

    def read_suppliers(self, table: Mapping[str, Any]) -> None:
        for entry in self._entries("suppliers.toml", table, "supplier"):
            ctx = self._ctx("suppliers.toml", "supplier", entry)
            sector = self._str(ctx, entry, "sector")
            if sector not in SECTORS:
                raise self._error(ctx, "sector", f"unknown sector '{sector}' (one of "
                                  f"{', '.join(sorted(SECTORS))})")
            self._add(ctx, entry, "supplier", (), {"sector": sector})

    def read_people(self, table: Mapping[str, Any]) -> None:
        for entry in self._entries("people.toml", table, "person"):
            ctx = self._ctx("people.toml", "person", entry)
            roles = entry.get("roles")
            if not isinstance(roles, list) or not roles:
                raise self._error(ctx, "roles", "expected a list of { org, title, from, to }")
            links = []
            for n, role in enumerate(roles):
                if not isinstance(role, dict) or not {"org", "title"} <= set(role) \
                        or set(role) - {"org", "title", "from", "to"}:
                    raise self._error(ctx, f"roles[{n}]", "expected { org, title, from, to }")
                start, end = _day(role.get("from"), True), _day(role.get("to"), False)
                if role.get("from") is not None and start is None \
                        or role.get("to") is not None and end is None:
                    raise self._error(ctx, f"roles[{n}]", "from / to must be a year or a date")
                links.append(Link(str(role["org"]), "works_for", start, end, str(role["title"])))
            self._add(ctx, entry, "person", tuple(links), {})

    def check_aliases(self) -> None:
        """An unambiguous alias names one entity: the same text for two is a mistake."""
        owner: dict[tuple[str, str], str] = {}
        for alias in self.aliases:
            if alias.ambiguous:
                continue
            key = (alias.text, alias.lang)
            other = owner.setdefault(key, alias.entity_id)
            if other != alias.entity_id:
                raise KnowledgeBaseError(
                    f"{self._where[alias.entity_id]}: key 'aliases': '{alias.text}' is also an "
                    f"unambiguous alias of '{other}'; mark both ambiguous = true with a rule")

    def check_links(self) -> None:
        """Every parent named exists and has the right kind; no group is its own ancestor."""
        wanted = {"owned_by": {"group"}, "part_of": {"group"}, "model_of": {"brand"},
                  "works_for": {"group", "brand", "supplier"}}
        key = {"owned_by": "owners", "part_of": "parent", "model_of": "brand",
               "works_for": "roles"}
        for entity in self.entities.values():
            for link in entity.links:
                parent = self.entities.get(link.parent_id)
                if parent is None or parent.kind not in wanted[link.relation]:
                    raise KnowledgeBaseError(
                        f"{self._where[entity.id]}: key '{key[link.relation]}': "
                        f"'{link.parent_id}' is not a {' or '.join(sorted(wanted[link.relation]))}"
                        " id of the knowledge base")
            if entity.kind == "group":
                seen, current = {entity.id}, entity
                while current.links:
                    current = self.entities[current.links[0].parent_id]
                    if current.id in seen:
                        raise KnowledgeBaseError(f"{self._where[entity.id]}: key 'parent': "
                                                 "the groups' parents form a loop")
                    seen.add(current.id)

    # ------------------------------------------------------------ helpers

    def _entries(self, file: str, table: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
        unknown = set(table) - {kind}
        if unknown:
            raise KnowledgeBaseError(f"{self.kb_dir / file}: unexpected key "
                                     f"'{sorted(unknown)[0]}' (entries are [[{kind}]] tables)")
        entries = table.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise KnowledgeBaseError(f"{self.kb_dir / file}: '{kind}' must be [[{kind}]] tables")
        for entry in entries:
            self._check_keys(self._ctx(file, kind, entry), entry, kind)
        return entries

    def _ctx(self, file: str, kind: str, entry: Mapping[str, Any]) -> str:
        ident = entry.get("id")
        label = f"'{ident}'" if isinstance(ident, str) else f"named {entry.get('name')!r}"
        return f"{self.kb_dir / file}: {kind} {label}"

    def _check_keys(self, ctx: str, entry: Mapping[str, Any], kind: str) -> None:
        for key in entry:
            if key not in ENTRY_KEYS[kind]:
                raise self._error(ctx, key, f"unknown key (allowed: "
                                  f"{', '.join(sorted(ENTRY_KEYS[kind]))})")
        ident = entry.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise self._error(ctx, "id", "missing, or not a lower-case snake_case id")
        self._str(ctx, entry, "name")
        if "country" in entry and not _COUNTRY.match(str(entry["country"])):
            raise self._error(ctx, "country", f"'{entry['country']}' is not an ISO 3166-1 "
                              "alpha-2 code")

    def _add(self, ctx: str, entry: Mapping[str, Any], kind: str, links: tuple[Link, ...],
             attributes: dict[str, Any], derived: list[dict[str, Any]] | None = None,
             *, name_is_alias: bool = True) -> None:
        ident, name = entry["id"], entry["name"]
        if ident in self.entities:
            raise self._error(ctx, "id", f"'{ident}' is already used by "
                              f"{self._where[ident].split(': ', 1)[1]}")
        raw = entry.get("aliases", [])
        if not isinstance(raw, list):
            raise self._error(ctx, "aliases", "expected a list of { text = ... } tables")
        specs = [(f"aliases[{n}]", spec) for n, spec in enumerate(raw)]
        specs += [("name", spec) for spec in derived or []]
        if name_is_alias and not any(isinstance(a, dict) and a.get("text") == name
                                     for _, a in specs):
            specs.insert(0, ("name", {"text": name}))
        aliases = [self._alias(ctx, ident, key, spec) for key, spec in specs]
        self.entities[ident] = Entity(ident, kind, name, entry.get("country"), links,
                                      attributes, tuple(dict.fromkeys(a.text for a in aliases)))
        self._where[ident] = ctx
        self.aliases.extend(aliases)

    def _alias(self, ctx: str, entity_id: str, key: str, spec: Any) -> Alias:
        if not isinstance(spec, dict):
            raise self._error(ctx, key, "expected { text = ... }")
        unknown = set(spec) - ALIAS_KEYS
        if unknown:
            raise self._error(ctx, f"{key}.{sorted(unknown)[0]}", "unknown alias key (allowed: "
                              f"{', '.join(sorted(ALIAS_KEYS))})")
        text = spec.get("text")
        if not isinstance(text, str) or not text.strip() or text != text.strip():
            raise self._error(ctx, f"{key}.text", "missing, empty or padded with spaces")
        lang = spec.get("lang", "*")
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise self._error(ctx, f"{key}.lang", f"'{lang}' is not an ISO 639-1 code or '*'")
        ambiguous = spec.get("ambiguous", False)
        if not isinstance(ambiguous, bool):
            raise self._error(ctx, f"{key}.ambiguous", "expected true or false")
        resolve = spec.get("resolve", ["family", "context"])
        if not isinstance(resolve, list) or not resolve or set(resolve) - RESOLVERS:
            raise self._error(ctx, f"{key}.resolve", "expected a list of 'family', 'context'")
        if ambiguous and "resolve" not in spec and len(text) <= 3:
            raise self._error(ctx, f"{key}.resolve", f"a short ambiguous alias ('{text}') "
                              "must say how it is resolved")
        case = spec.get("case", "default")
        if case not in CASES:
            raise self._error(ctx, f"{key}.case", f"'{case}' is not one of "
                              f"{', '.join(sorted(CASES))}")
        vetoes = []
        for side in ("not_before", "not_after"):
            words = spec.get(side, [])
            if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
                raise self._error(ctx, f"{key}.{side}", "expected a list of words")
            vetoes.append(frozenset(w.lower() for w in words))
        return Alias(text, entity_id, lang, ambiguous, tuple(resolve), case, *vetoes)

    def _str(self, ctx: str, entry: Mapping[str, Any], key: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._error(ctx, key, "missing or empty")
        return value

    def _year(self, ctx: str, entry: Mapping[str, Any], key: str) -> int:
        value = entry.get(key)
        if not isinstance(value, int) or not 1880 <= value <= 2100:
            raise self._error(ctx, key, "expected a year")
        return value

    @staticmethod
    def _error(ctx: str, key: str, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{ctx}: key '{key}': {problem}")


def _day(value: Any, start: bool) -> date | None:
    """A year (its first or last day) or a date; None when absent or unusable."""
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1880 <= value <= 2100:
        return date(value, 1, 1) if start else date(value, 12, 31)
    return None
