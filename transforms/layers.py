"""Rules in layers: the generic tables, then a template family's, then a source's own
(`[source.extraction]`), each fingerprinted so a reclean can target changed sources.

A family is data (`FAMILIES`): containers to try first, furniture to remove, selectors,
text patterns, date formats, byline prefixes. A source adds its own and may switch a
generic rule off (`disable`). Where data is not enough, a source or family names a hook
class (`hook = "package.module:Class"`, an `ExtractionHook`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from transforms import rules as generic
from transforms.article import EXTRACTOR_VERSION
from transforms.rules import ExtractionRules

if TYPE_CHECKING:
    from bs4 import Tag

    from transforms.article import Article
    from transforms.index import PageIndex


class RuleError(ValueError):
    """Rules that cannot be used: an unknown family, switch or hook."""


@dataclass(frozen=True)
class RuleLayer:
    """A template family's rules (the same keys a source may set)."""

    version: str
    description: str
    content_selectors: tuple[str, ...] = ()
    remove_selectors: tuple[str, ...] = ()
    title_selector: str | None = None
    author_selector: str | None = None
    date_selector: str | None = None
    disable: frozenset[str] = frozenset()
    text_patterns: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    byline_prefixes: tuple[str, ...] = ()
    hook: str | None = None


# Template families. Bump `version` with any change (the fingerprint changes anyway; the
# number tells a reader which revision a stored article saw).
FAMILIES: dict[str, RuleLayer] = {
    "generic": RuleLayer("1", "no family rules: the generic tables alone"),
    "wordpress_news": RuleLayer(
        "1", "WordPress news themes (Twenty*, GeneratePress, Astra, Jannah, JNews...)",
        content_selectors=(".entry-content", ".post-content", ".jeg_post_content",
                           ".single-content"),
        remove_selectors=(".sharedaddy", ".jp-relatedposts", "#jp-post-flair", ".wpcnt",
                          ".code-block", ".wp-block-buttons", ".post-tags", ".entry-footer",
                          ".yarpp-related", ".addtoany_content", ".ez-toc-container"),
        byline_prefixes=("Posted by", "Published by"),
    ),
    "wordpress_tagdiv": RuleLayer(
        "1", "WordPress with tagDiv's Newspaper / Newsmag themes (td-* classes)",
        content_selectors=(".td-post-content", ".tdb_single_content .tdb-block-inner"),
        remove_selectors=(".td-post-sharing", ".td-post-source-tags", ".td-post-next-prev",
                          ".td_block_related_posts", ".td-a-rec", ".td-author-box"),
    ),
    "drupal": RuleLayer(
        "1", "Drupal 8+ node pages (field--name-body, node__meta)",
        content_selectors=(".field--name-body", ".node__content", ".field-name-body"),
        remove_selectors=(".node__links", ".links.inline", ".field--name-field-tags",
                          ".field--name-field-related"),
    ),
    "ghost": RuleLayer(
        "1", "Ghost themes (Casper, Source: gh-content, kg-* cards)",
        content_selectors=(".gh-content", ".post-full-content", ".kg-card-markdown"),
        remove_selectors=(".kg-signup-card", ".gh-post-upgrade-cta", ".gh-read-next"),
    ),
    "jsonld_publisher": RuleLayer(
        "1", "custom newsroom platforms declaring NewsArticle JSON-LD, body in data-* blocks",
        content_selectors=("[itemprop=articleBody]", "[data-testid=article-body]",
                           ".article-body", ".article__body", ".article-body-content"),
    ),
    "amp": RuleLayer("1", "AMP pages (amp-* components)",
                     content_selectors=(".amp-article-body", ".article-body")),
    "legacy_table": RuleLayer("1", "table layouts of older CMSs (content in <td>, <br><br>)"),
    "liveblog": RuleLayer("1", "live blogs (LiveBlogPosting, entries as <article>s)",
                          content_selectors=(".live-blog", ".liveblog", ".liveblog-feed")),
    "paginated": RuleLayer("1", "articles split over pages (?page=2, page x of y)"),
}

_SOURCE_FIELDS = ("content_selectors", "remove_selectors", "title_selector", "author_selector",
                  "date_selector", "timezone", "language", "min_words", "disable",
                  "text_patterns", "date_formats", "byline_prefixes", "hook")
# Names `disable` accepts: concepts of the generic tables, and the density fallback.
SWITCHES = frozenset({*generic.BOILERPLATE_SELECTORS, *generic.BOILERPLATE_WORDS,
                      *generic.BOILERPLATE_TEXT, "density_root"})
_KINDS = ("selector", "class_word", "text")


class ExtractionHook:
    """A source's (or family's) Python hook, for what rules as data cannot say. Override
    either method; `version` enters the rules fingerprint."""

    version = "1"

    def select_root(self, page: PageIndex) -> Tag | None:
        """The element holding the article body, or None to let the rules find it."""
        return None

    def finish(self, article: Article, page: PageIndex) -> Article:
        """The extracted article, corrected (return a `dataclasses.replace` copy)."""
        return article


def check_switch(name: str) -> None:
    """Raise `RuleError` for a `disable` entry naming no generic rule."""
    kind, _, concept = name.rpartition(":")
    if concept not in SWITCHES or (kind and kind not in _KINDS):
        raise RuleError(f"unknown rule switch '{name}' (concepts: {', '.join(sorted(SWITCHES))};"
                        f" optionally prefixed by {', '.join(k + ':' for k in _KINDS)})")


@lru_cache(maxsize=32)
def load_hook(path: str) -> ExtractionHook:
    """The hook class at "package.module:Class", instantiated once."""
    module_name, _, class_name = path.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise RuleError(f"hook '{path}' cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, ExtractionHook)):
        raise RuleError(f"hook '{path}' is not an ExtractionHook subclass")
    return cls()


def family_layer(name: str | None) -> RuleLayer:
    try:
        return FAMILIES[name or "generic"]
    except KeyError:
        raise RuleError(f"unknown template family '{name}' "
                        f"(known: {', '.join(sorted(FAMILIES))})") from None


def _digest(data: Any) -> str:
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=sorted)
    return hashlib.sha256(raw.encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def generic_fingerprint() -> str:
    """Fingerprint of the generic tables (their code is covered by EXTRACTOR_VERSION)."""
    return _digest({name: getattr(generic, name) for name in (
        "DROP_TAGS", "BOILERPLATE_SELECTORS", "BOILERPLATE_WORDS", "CONTENT_SELECTORS",
        "BOILERPLATE_TEXT", "READING_TIME_PATTERNS", "BYLINE_PREFIXES", "NOT_NAMES",
        "IGNORE_CONTEXT_WORDS", "MIN_WORDS", "WORDS_PER_MINUTE")})


def _hook_version(path: str | None) -> str | None:
    return f"{path}@{load_hook(path).version}" if path else None


def rules_version(rules: ExtractionRules) -> str:
    """`<extractor>/g-<generic>/<family>-<family fp>/s-<source fp>`: equal strings, equal
    rules; compare per source to find the articles a rule change can affect."""
    if rules.merged_version:
        return rules.merged_version
    layer = family_layer(rules.family)
    family = _digest({**dataclasses.asdict(layer), "hook": _hook_version(layer.hook)})
    source = _digest({**{f: getattr(rules, f) for f in _SOURCE_FIELDS},
                      "hook": _hook_version(rules.hook)})
    return (f"{EXTRACTOR_VERSION}/g-{generic_fingerprint()}/{rules.family or 'generic'}-"
            f"{layer.version}.{family}/s-{source}")


@lru_cache(maxsize=256)
def layered(rules: ExtractionRules) -> ExtractionRules:
    """The source's rules merged over its family's: the source's selectors first, lists
    joined, the source's single selectors winning."""
    if rules.merged_version:
        return rules
    layer = family_layer(rules.family)
    for name in (*rules.disable, *layer.disable):
        check_switch(name)
    return dataclasses.replace(
        rules,
        preferred_selectors=layer.content_selectors,
        remove_selectors=layer.remove_selectors + rules.remove_selectors,
        title_selector=rules.title_selector or layer.title_selector,
        author_selector=rules.author_selector or layer.author_selector,
        date_selector=rules.date_selector or layer.date_selector,
        disable=rules.disable | layer.disable,
        text_patterns=layer.text_patterns + rules.text_patterns,
        date_formats=rules.date_formats + layer.date_formats,
        byline_prefixes=rules.byline_prefixes + layer.byline_prefixes,
        hook=rules.hook or layer.hook,
        merged_version=rules_version(rules),
    )
