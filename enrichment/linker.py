"""Entity linking: which aliases found in an article are real mentions, and what they count for.

The rules, in order (each alias carries its own in config/kb):
1. case: an alias is found as written (or in capitals, unless its case is "exact");
2. language: an alias with a `lang` counts only in articles of that language;
3. vetoes: a `not_before` / `not_after` word next to it rejects it ("Harrison Ford"), and
   then its entity's other ambiguous mentions in the article need a family member
   (a bare "Ford" further down the Harrison Ford story is still the actor);
4. overlaps: the longest match wins ("Jeep Compass" over "Jeep", "Bill Ford" over "Ford");
5. ambiguity: an ambiguous alias links only with evidence: "family" (the entity, a parent, a
   child or a sibling model named unambiguously in the article) or "context" (a car word
   within CONTEXT_WINDOW characters);
6. roll-up: a mention counts for its entity and, on the article's date, for the model's
   brand, the brand's owner groups and their parents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from enrichment.kb import Alias, KnowledgeBase
from enrichment.scanner import WORD, Hit, Pattern

CONTEXT_WINDOW = 80  # characters each side, about a dozen words
_PREVIOUS = re.compile(r"(\w+)[\s-]*$")
_NEXT = re.compile(r"^[\s-]*(\w+)")
_CONTEXT_WORD = re.compile(r"\w[\w-]*")


@dataclass(frozen=True)
class Mention:
    entity_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EntityLink:
    """An entity an article is about: `mentions` counts its own mentions and those of its
    models and brands (roll-up); `direct_mentions` only its own."""

    entity_id: str
    mentions: int
    direct_mentions: int
    in_title: bool
    first_position: int


@dataclass(frozen=True)
class _ContextWords:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]


class EntityLinker:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.aliases: list[Alias] = kb.aliases
        self._context: dict[str | None, _ContextWords] = {}

    def patterns(self) -> list[Pattern]:
        return [Pattern(a.text.lower(), "alias", n) for n, a in enumerate(self.aliases)]

    def mentions(self, text: str, lower: str, hits: Sequence[Hit],
                 language: str | None) -> list[Mention]:
        """The mentions among the scanner's alias hits, in text order (rules 1 to 5)."""
        spans: dict[tuple[int, int], list[Alias]] = {}
        shadowed: set[str] = set()
        for hit in hits:
            alias = self.aliases[hit.pattern]
            if alias.lang != "*" and language is not None and alias.lang != language:
                continue
            found = text[hit.start:hit.end]
            if found != alias.text and not (
                    alias.case == "any"
                    or alias.case == "default" and found == alias.text.upper()):
                continue
            if self._vetoed(text, hit.start, hit.end, alias):
                shadowed.add(alias.entity_id)
                continue
            spans.setdefault((hit.start, hit.end), []).append(alias)
        kept: list[tuple[int, int, list[Alias]]] = []
        last_end = -1
        for (start, end), aliases in sorted(spans.items(), key=lambda s: (s[0][0], -s[0][1])):
            if start >= last_end:
                kept.append((start, end, aliases))
                last_end = end
        confirmed = {a.entity_id for _, _, aliases in kept for a in aliases if not a.ambiguous}
        resolved: dict[tuple[int, int], set[str]] = {
            (s, e): {a.entity_id for a in aliases if not a.ambiguous} for s, e, aliases in kept}
        for _ in range(2):  # a resolved ambiguous mention can vouch for another one
            for start, end, aliases in kept:
                for alias in aliases:
                    if not alias.ambiguous or alias.entity_id in resolved[(start, end)]:
                        continue
                    if self._credible(alias, lower, start, end, confirmed, shadowed, language):
                        resolved[(start, end)].add(alias.entity_id)
            confirmed |= {e for ids in resolved.values() for e in ids}
        return [Mention(entity, start, end, text[start:end])
                for start, end, _ in kept for entity in sorted(resolved[(start, end)])]

    def links(self, mentions: Sequence[Mention], title_length: int,
              day: date | None) -> list[EntityLink]:
        """Roll the mentions up (rule 6) into one link per entity."""
        total: dict[str, int] = {}
        direct: dict[str, int] = {}
        in_title: dict[str, bool] = {}
        first: dict[str, int] = {}
        ancestors: dict[str, list[str]] = {}
        for mention in mentions:
            entity = mention.entity_id
            if entity not in ancestors:
                ancestors[entity] = self.kb.ancestors(entity, day)
            direct[entity] = direct.get(entity, 0) + 1
            for counted in (entity, *ancestors[entity]):
                total[counted] = total.get(counted, 0) + 1
                in_title[counted] = in_title.get(counted, False) or mention.start < title_length
                first.setdefault(counted, mention.start)
        return [EntityLink(e, total[e], direct.get(e, 0), in_title[e], first[e])
                for e in sorted(total, key=lambda e: (first[e], e))]

    # ------------------------------------------------------------ evidence

    def _vetoed(self, text: str, start: int, end: int, alias: Alias) -> bool:
        if alias.not_before:
            before = _PREVIOUS.search(text[max(0, start - 40):start])
            if before and before.group(1).lower() in alias.not_before:
                return True
        if alias.not_after:
            after = _NEXT.match(text[end:end + 40])
            if after and after.group(1).lower() in alias.not_after:
                return True
        return False

    def _credible(self, alias: Alias, lower: str, start: int, end: int, confirmed: set[str],
                  shadowed: set[str], language: str | None) -> bool:
        if "family" in alias.resolve and not confirmed.isdisjoint(
                self.kb.family(alias.entity_id)):
            return True
        if "context" in alias.resolve and alias.entity_id not in shadowed:
            return self._car_words_near(lower, start, end, language)
        return False

    def _car_words_near(self, lower: str, start: int, end: int, language: str | None) -> bool:
        words = self._context_words(language)
        window = lower[max(0, start - CONTEXT_WINDOW):start] + " " + \
            lower[end:end + CONTEXT_WINDOW]
        for match in _CONTEXT_WORD.finditer(window):
            word = match.group()
            if word in words.words or word.startswith(words.prefixes):
                return True
        return any(phrase in window for phrase in words.phrases)

    def _context_words(self, language: str | None) -> _ContextWords:
        cached = self._context.get(language)
        if cached is None:
            table = self.kb.context_words
            chosen = [w for lang, items in table.items()
                      if lang == "*" or language is None or lang == language for w in items]
            words = {w for w in chosen if "*" not in w and " " not in w}
            prefixes = tuple(w[:-1] for w in chosen if w.endswith("*") and " " not in w)
            phrases = tuple(w.rstrip("*") for w in chosen if " " in w)
            cached = self._context[language] = _ContextWords(frozenset(words), prefixes,
                                                             phrases)
        return cached


def title_words(title: str) -> list[str]:
    """Lower-cased words of a title (for the stories' headline similarity)."""
    return WORD.findall(title.lower())
