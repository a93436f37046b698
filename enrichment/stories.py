"""Stories: grouping the articles that report the same news.

Two kinds of evidence join two articles (published at most WINDOW apart):
- near-duplicates: the same text (wire copy, a page republished under another URL or
  template), found by MinHash/LSH over word shingles of the body (datasketch);
- the same event told differently by different sources: shared entities, shared headline
  words and shared figures ("21 percent", "30 months"), combined into one score.
Joined articles form a story (union-find), as long as the story spans at most WINDOW. A
story's id is derived from its first article, so regrouping the same articles gives the
same ids. Joins happen in a fixed order (near-duplicates by later then earlier article,
then same-event pairs in the order their entity buckets first appear), because the WINDOW
limit makes the outcome depend on it. `warehouse.story_grouping` does the same grouping
with the candidate pairs found in SQL (memory independent of the number of articles); it
must give the same stories: it reuses band_ranges(), is_near_duplicate, event_score and
StoryUnion from here.

The thresholds were calibrated together on the labelled set and the demo's stories
(tests/enrichment): don't tune one in isolation.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 64
SHINGLE_WORDS = 4
NEAR_DUPLICATE = 0.5  # estimated Jaccard of body shingles
SAME_EVENT = 0.4  # weighted score of entities, headline words and figures
WEIGHTS = (0.45, 0.35, 0.20)  # entities, headline, figures
WINDOW = timedelta(days=3)
MAX_COMPARISONS = 40  # per article and entity pair, nearest in time first
MAX_PAIR_ENTITIES = 8  # an article's rarest entities that make its candidate pairs
_SEED = 20261113
_NEVER = datetime.max.replace(tzinfo=UTC)  # undated articles sort last
_WORD = re.compile(r"\w+")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_STOP = frozenset("""
the a an and or of to in on for at by with from as is are was were be been its it this that
will would could should may might has have had not no but than into over after before about
new says said amid per up out more most less what how why who when where which their his her
der die das und oder ein eine mit von zu im in auf für ist sind nach bei aus als wie neue
le la les un une des du de et ou à au aux pour par sur dans avec est sont après nouveau
el los las una unos y o del al para por con en es son tras nuevo
il lo gli i uno della delle dei di da per con su nel nella è sono dopo nuovo
""".split())


@dataclass(frozen=True)
class Fingerprint:
    """What story grouping needs of an article, small enough to store next to it."""

    signature: bytes  # MinHash values of the body's shingles
    terms: tuple[str, ...]  # headline word stems and "#figures", sorted


@dataclass(frozen=True)
class StoryArticle:
    url_hash: str
    source_id: str
    published_at: datetime | None
    entities: frozenset[str]  # entities the article names itself (not rolled up)
    fingerprint: Fingerprint


# datasketch is imported when first needed: it loads scipy (for the LSH's band sizes), a
# second of start-up that every `autonews` command and Airflow task paid at import.
@cache
def band_ranges() -> tuple[tuple[int, int], ...]:
    """The LSH bands (value ranges of the signature) datasketch uses for NEAR_DUPLICATE: two
    articles are near-duplicate candidates when one band of theirs is equal."""
    from datasketch import MinHashLSH
    return tuple(MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=NUM_PERM).hashranges)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32").permutations


def _minhash(values: np.ndarray | None = None) -> MinHash:
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_identity, scheme="affine32",
                   permutations=_permutations(), hashvalues=values)


def fingerprint(title: str, description: str | None, body: str) -> Fingerprint:
    minhash = _minhash()
    minhash.update_batch(_shingle_hashes(body).tolist())
    headline = f"{title} {description or ''}".lower()
    stems = {w[:6] for w in _WORD.findall(headline) if len(w) > 2 and w not in _STOP
             and not w.isdigit()}
    figures = {f"#{f}" for f in _FIGURE.findall(f"{headline} {body}") if _is_figure(f)}
    return Fingerprint(minhash.hashvalues.astype("<u4").tobytes(), tuple(sorted(stems | figures)))


def _shingle_hashes(body: str) -> np.ndarray:
    """32-bit hashes of the body's SHINGLE_WORDS-word shingles: each word hashed once
    (CRC-32), shingles combined with numpy, so a long article costs one pass of C calls."""
    words = np.array([zlib.crc32(w.encode()) for w in _WORD.findall(body.lower())],
                     dtype=np.uint64)
    if len(words) < SHINGLE_WORDS:
        return np.array([np.bitwise_xor.reduce(words)] if len(words) else [], dtype=np.uint64)
    count = len(words) - SHINGLE_WORDS + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):  # polynomial combination, wrapping modulo 2**64
        combined = combined * np.uint64(1_000_003) + words[offset:offset + count]
    return (combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


def _identity(value: int) -> int:
    return value


def _is_figure(text: str) -> bool:
    digits = text.replace(",", "").replace(".", "")
    if len(digits) < 2:
        return False
    return not (len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100)  # a year


def group_stories(articles: Sequence[StoryArticle]) -> dict[str, str]:
    """url_hash -> story id for every article given (a lone article is a story of its own)."""
    ordered = sorted(articles, key=lambda a: (a.published_at or _NEVER, a.url_hash))
    stories = StoryUnion([a.published_at for a in ordered], [a.url_hash for a in ordered])
    for one, other in _near_duplicates(ordered):
        stories.join(one, other)
    for left, right in _same_events(ordered):
        stories.join(left, right)
    return {a.url_hash: stories.story_id(n) for n, a in enumerate(ordered)}


def is_near_duplicate(equal_values: int) -> bool:
    """Whether two signatures with `equal_values` equal MinHash values (of NUM_PERM) are
    near-duplicates: MinHash.jaccard's estimate against NEAR_DUPLICATE."""
    return equal_values / NUM_PERM >= NEAR_DUPLICATE


def _near_duplicates(articles: Sequence[StoryArticle]) -> Iterable[tuple[int, int]]:
    """Pairs of positions (earlier, later), by later then earlier article."""
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    index: dict[str, int] = {}
    for n, article in enumerate(articles):
        values = np.frombuffer(article.fingerprint.signature, dtype="<u4")
        if len(values) != NUM_PERM:
            continue  # a signature of other rules: the caller recomputes it
        minhash = _minhash(values.astype(np.uint32))
        for other in sorted(lsh.query(minhash), key=index.__getitem__):
            equal = int(np.count_nonzero(minhash.hashvalues == hashes[other].hashvalues))
            if is_near_duplicate(equal):
                yield index[other], n
        lsh.insert(article.url_hash, minhash)
        hashes[article.url_hash] = minhash
        index[article.url_hash] = n


def _same_events(articles: Sequence[StoryArticle]) -> Iterable[tuple[int, int]]:
    """Pairs of articles that report the same event. Candidates share at least two
    entities, so articles are bucketed by pairs of their entities (the rarest
    MAX_PAIR_ENTITIES of each), and compared within WINDOW, nearest first."""
    frequency: dict[str, int] = {}
    for article in articles:
        for entity in article.entities:
            frequency[entity] = frequency.get(entity, 0) + 1
    by_pair: dict[tuple[str, str], list[int]] = {}
    for n, article in enumerate(articles):
        if article.published_at is None or len(article.entities) < 2:
            continue
        chosen = sorted(article.entities, key=lambda e: (frequency[e], e))[:MAX_PAIR_ENTITIES]
        for pair in combinations(sorted(chosen), 2):
            by_pair.setdefault(pair, []).append(n)
    keys = [_EventKey.of(a) for a in articles]
    seen: set[tuple[int, int]] = set()
    for members in by_pair.values():
        for position, left in enumerate(members):
            start = articles[left].published_at
            assert start is not None
            for right in members[position + 1:position + 1 + MAX_COMPARISONS]:
                later = articles[right].published_at
                assert later is not None
                if later - start > WINDOW:
                    break
                if (left, right) in seen:
                    continue
                seen.add((left, right))
                if keys[left].score(keys[right]) >= SAME_EVENT:
                    yield left, right


@dataclass(frozen=True)
class _EventKey:
    source_id: str
    entities: frozenset[str]
    words: frozenset[str]
    figures: frozenset[str]

    @classmethod
    def of(cls, article: StoryArticle) -> _EventKey:
        terms = article.fingerprint.terms
        return cls(article.source_id, article.entities,
                   frozenset(t for t in terms if not t.startswith("#")),
                   frozenset(t for t in terms if t.startswith("#")))

    def score(self, other: _EventKey) -> float:
        if self.source_id == other.source_id:
            return 0.0  # a source does not rewrite its own story; its updates are new articles
        return event_score(EventOverlap(
            len(self.entities & other.entities), len(self.entities | other.entities),
            len(self.words & other.words), len(self.words | other.words),
            len(self.figures & other.figures), len(self.figures | other.figures)))


@dataclass(frozen=True)
class EventOverlap:
    """What two articles of different sources share (intersection and union sizes)."""

    shared_entities: int
    entities: int
    shared_words: int
    words: int
    shared_figures: int
    figures: int


def event_score(overlap: EventOverlap) -> float:
    """0..1: the same-event score of two articles of different sources from their overlap."""
    if overlap.shared_entities < 2:
        return 0.0
    entities = overlap.shared_entities / overlap.entities
    return (WEIGHTS[0] * entities + WEIGHTS[1] * _ratio(overlap.shared_words, overlap.words)
            + WEIGHTS[2] * _ratio(overlap.shared_figures, overlap.figures))


def same_event_score(one: StoryArticle, other: StoryArticle) -> float:
    """0..1: how likely two articles of different sources report the same event."""
    return _EventKey.of(one).score(_EventKey.of(other))


def _ratio(shared: int, union: int) -> float:
    return shared / union if union else 0.0


class StoryUnion:
    """Union-find over article positions (ordered by publication, then url hash), keeping
    each story's first and last publication so no story grows past WINDOW."""

    def __init__(self, published: Sequence[datetime | None], url_hashes: Sequence[str]) -> None:
        self.published = published
        self.url_hashes = url_hashes
        self.parent = list(range(len(url_hashes)))
        self.first = list(range(len(url_hashes)))
        self.last = list(range(len(url_hashes)))

    def find(self, n: int) -> int:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def join(self, one: int, other: int) -> None:
        a, b = self.find(one), self.find(other)
        if a == b:
            return
        first, last = min(self.first[a], self.first[b]), max(self.last[a], self.last[b])
        start, end = self.published[first], self.published[last]
        if start is not None and end is not None and end - start > WINDOW:
            return
        root, child = (a, b) if a < b else (b, a)
        self.parent[child] = root
        self.first[root], self.last[root] = first, last

    def story_id(self, n: int) -> str:
        return story_id_of(self.url_hashes[self.first[self.find(n)]])


def story_id_of(first_url_hash: str) -> str:
    """The id of the story whose first article is `first_url_hash`."""
    return f"st_{first_url_hash[:20]}"
