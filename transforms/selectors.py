"""Fast matching of many simple CSS selectors in one pass over the tree.

`soup.select()` walks the whole tree once per selector; with ~200 rule selectors that is
the slowest part of cleaning. Simple selectors (`.cls`, `#id`, `tag`, `tag.cls`,
`[attr]`, `[attr=v]`, `[attr*=v]`) are indexed here and matched by set look-ups; anything
else goes to soupsieve, compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import soupsieve
from bs4 import Tag

_SIMPLE = re.compile(
    r"^(?P<tag>[a-z][a-z0-9-]*)?"
    r"(?:(?P<dot>\.)(?P<cls>[\w-]+)|#(?P<id>[\w-]+)|"
    r"\[(?P<attr>[\w:-]+)(?:(?P<op>[*^$]?=)(?P<val>[^\]]+))?\])?$",
    re.IGNORECASE,
)


@dataclass
class SelectorSet:
    """Selectors grouped by a label (a concept such as 'share'); `match` names the first hit."""

    by_class: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_id: dict[str, tuple[str, str]] = field(default_factory=dict)
    by_tag: dict[str, tuple[str, str]] = field(default_factory=dict)
    tag_class: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    attr_tests: list[tuple[str, str, str | None, str | None, str]] = field(default_factory=list)
    complex: list[tuple[str, soupsieve.SoupSieve, str]] = field(default_factory=list)

    @classmethod
    def build(cls, groups: Mapping[str, Iterable[str]]) -> SelectorSet:
        out = cls()
        for label, selectors in groups.items():
            for selector in selectors:
                out.add(label, selector)
        return out

    def add(self, label: str, selector: str) -> None:
        selector = selector.strip()
        match = _SIMPLE.match(selector)
        entry = (label, selector)
        if not match:
            self.complex.append((label, soupsieve.compile(selector), selector))
            return
        tag, cls, ident, attr = (match.group("tag"), match.group("cls"), match.group("id"),
                                 match.group("attr"))
        tag = tag.lower() if tag else None
        if cls and tag:
            self.tag_class.setdefault((tag, cls), entry)
        elif cls:
            self.by_class.setdefault(cls, entry)
        elif ident and not tag:
            self.by_id.setdefault(ident, entry)
        elif attr:
            value = match.group("val")
            if value:
                value = value.strip("'\"")
            self.attr_tests.append((attr.lower(), label, match.group("op"), value, selector))
        elif tag and not ident:
            self.by_tag.setdefault(tag, entry)
        else:
            self.complex.append((label, soupsieve.compile(selector), selector))

    def match(self, tag: Tag) -> tuple[str, str] | None:
        """(label, selector) of the first selector `tag` matches, else None."""
        attrs = tag.attrs
        classes = attrs.get("class")
        if classes:
            for name in classes if isinstance(classes, list) else str(classes).split():
                hit = self.by_class.get(name) or self.tag_class.get((tag.name, name))
                if hit:
                    return hit
        ident = attrs.get("id")
        if isinstance(ident, str) and ident in self.by_id:
            return self.by_id[ident]
        if tag.name in self.by_tag:
            return self.by_tag[tag.name]
        for attr, label, op, value, selector in self.attr_tests:
            raw = attrs.get(attr)
            if raw is None:
                continue
            actual = " ".join(raw) if isinstance(raw, list) else str(raw)
            if (op is None or (op == "=" and actual == value)
                    or (op == "*=" and value is not None and value in actual)
                    or (op == "^=" and value is not None and actual.startswith(value))
                    or (op == "$=" and value is not None and actual.endswith(value))):
                return label, selector
        for label, compiled, selector in self.complex:
            if compiled.match(tag):
                return label, selector
        return None
