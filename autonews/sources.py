"""Sources as data: `config/sources.toml` loaded, validated and turned into `Source` records.

Every error names the file, the source and the key, so a bad line is fixed in one look.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from autonews.core.errors import ConfigError
from autonews.core.settings import Settings
from autonews.core.source import Source
from transforms import ExtractionRules
from transforms.dates import zone

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_ROOT / "config" / "sources.toml"
DEMO_SOURCES = PROJECT_ROOT / "config" / "demo-sources.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_ARCHIVE_FIELDS = re.compile(r"\{(\w+)\}")
ARCHIVE_PLACEHOLDERS = frozenset({"yyyy", "mm", "dd", "m", "d", "yy"})


def rules_version(source: Source) -> str:
    """The version of the rule layers that clean `source`'s pages (generic, its template
    family, its own): what `articles.rules_version` holds for pages cleaned with them."""
    from transforms.layers import rules_version as layered_version

    return layered_version(extraction_rules(source))


def extraction_rules(source: Source) -> ExtractionRules:
    """The cleaner's rules for `source`: the generic rules, its template family's, then its
    own `[source.extraction]` keys (see transforms/layers.py)."""
    ex = source.extraction
    return ExtractionRules(
        content_selectors=tuple(ex.get("content_selectors", ())),
        remove_selectors=tuple(ex.get("remove_selectors", ())),
        title_selector=ex.get("title_selector"),
        author_selector=ex.get("author_selector"),
        date_selector=ex.get("date_selector"),
        min_words=int(ex.get("min_words", ExtractionRules.min_words)),
        timezone=source.timezone,
        language=source.language,
        family=ex.get("family"),
        disable=frozenset(ex.get("disable", ())),
        text_patterns=tuple(ex.get("text_patterns", ())),
        date_formats=tuple(ex.get("date_formats", ())),
        byline_prefixes=tuple(ex.get("byline_prefixes", ())),
        hook=ex.get("hook"),
    )


_LIST_KEYS = ("sitemaps", "news_sitemaps", "feeds", "listing_pages")
_STR_LISTS = ("allow", "deny", "allowed_domains")
_KNOWN = {f for f in Source.__dataclass_fields__}
_EXTRACTION_KEYS = {"content_selectors", "remove_selectors", "title_selector",
                    "author_selector", "date_selector", "min_words", "family", "disable",
                    "text_patterns", "date_formats", "byline_prefixes", "hook"}


def _fail(path: Path, source: str | None, key: str | None, problem: str) -> ConfigError:
    where = str(path)
    if source:
        where += f": source '{source}'"
    if key:
        where += f": key '{key}'"
    return ConfigError(f"{where}: {problem}")


def _check_url(path: Path, sid: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(path, sid, key, f"expected a URL string, got {type(value).__name__}")
    if "{demo_url}" in value:
        raise _fail(path, sid, key, "uses {demo_url} but no demo site URL was given "
                    "(run with --demo, or set AUTONEWS_DEMO_URL)")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail(path, sid, key, f"'{value}' is not an http(s) URL")
    return value


def _check_regexes(path: Path, sid: str, key: str, values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail(path, sid, key, "expected a list of regular expressions (strings)")
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise _fail(path, sid, key, f"bad regular expression '{value}': {exc}") from exc
    return tuple(values)


def parse_source(path: Path, raw: Mapping[str, Any], substitutions: Mapping[str, str]) -> Source:
    """One `[[source]]` table of `path` checked and turned into a `Source`.

    `{name}` placeholders in string values are replaced from `substitutions` (the demo's
    `{demo_url}`); then every key is checked: the id is a snake_case slug, no key is
    unknown, URLs are http(s), regexes and CSS selectors compile, the archive pattern has
    date placeholders, the time zone exists, numbers are non-negative integers, flags are
    booleans, and at least one way to discover articles is given. The first problem found
    raises `ConfigError` naming the file, the source and the key.
    """
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise _fail(path, str(sid) if sid else None, "id",
                    "must be a snake_case slug (a-z, 0-9, _), 2-63 characters")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise _fail(path, sid, unknown[0], f"unknown key (known: {', '.join(sorted(_KNOWN))})")

    def subst(value: Any) -> Any:
        if isinstance(value, str):
            for name, replacement in substitutions.items():
                value = value.replace("{" + name + "}", replacement)
        elif isinstance(value, list):
            value = [subst(v) for v in value]
        return value

    values: dict[str, Any] = {k: subst(v) for k, v in raw.items()}
    if "name" not in values or not isinstance(values["name"], str) or not values["name"]:
        raise _fail(path, sid, "name", "missing or empty")
    if "home" not in values:
        raise _fail(path, sid, "home", "missing")
    _check_url(path, sid, "home", values["home"])
    for key in _LIST_KEYS:
        if key in values:
            if not isinstance(values[key], list):
                raise _fail(path, sid, key, "expected a list of URLs")
            values[key] = tuple(_check_url(path, sid, key, v) for v in values[key])
    for key in ("allow", "deny"):
        if key in values:
            values[key] = _check_regexes(path, sid, key, values[key])
    if "allowed_domains" in values:
        domains = values["allowed_domains"]
        if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
            raise _fail(path, sid, "allowed_domains", "expected a list of host names")
        values["allowed_domains"] = tuple(domains)
    if values.get("archive") is not None:
        pattern = values["archive"]
        _check_url(path, sid, "archive", pattern.replace("{", "").replace("}", ""))
        names = set(_ARCHIVE_FIELDS.findall(pattern))
        if not names or not names <= ARCHIVE_PLACEHOLDERS:
            raise _fail(path, sid, "archive",
                        f"pattern needs date placeholders among {sorted(ARCHIVE_PLACEHOLDERS)}, "
                        f"got {sorted(names) or 'none'}")
    tz = values.get("timezone", "UTC")
    if not isinstance(tz, str) or zone(tz) is None:
        raise _fail(path, sid, "timezone", f"unknown time zone '{tz}' (use IANA names)")
    for key in ("max_pages", "archive_pages", "listing_depth"):
        if key in values and (not isinstance(values[key], int) or isinstance(values[key], bool)
                              or values[key] < 0):
            raise _fail(path, sid, key, "expected a non-negative integer")
    for key in ("enabled", "fetch_undated", "allow_private_network"):
        if key in values and not isinstance(values[key], bool):
            raise _fail(path, sid, key, "expected true or false")
    if "language" in values and not (isinstance(values["language"], str)
                                     and re.fullmatch(r"[a-z]{2,3}", values["language"])):
        raise _fail(path, sid, "language", "expected an ISO 639-1 code such as 'en'")
    extraction = values.get("extraction", {})
    if not isinstance(extraction, dict):
        raise _fail(path, sid, "extraction", "expected a table")
    bad = sorted(set(extraction) - _EXTRACTION_KEYS)
    if bad:
        raise _fail(path, sid, f"extraction.{bad[0]}",
                    f"unknown key (known: {', '.join(sorted(_EXTRACTION_KEYS))})")
    _check_selectors(path, sid, extraction)
    _check_rule_layers(path, sid, extraction)
    if not isinstance(values.get("crawl_settings", {}), dict):
        raise _fail(path, sid, "crawl_settings", "expected a table of Scrapy settings")
    if not (values.get("sitemaps") or values.get("news_sitemaps") or values.get("feeds")
            or values.get("archive") or values.get("listing_pages")):
        raise _fail(path, sid, None, "no way to discover articles: give at least one of "
                    "sitemaps, news_sitemaps, feeds, archive, listing_pages")
    return Source(**values)


def _check_selectors(path: Path, sid: str, extraction: Mapping[str, Any]) -> None:
    import soupsieve

    for key in ("content_selectors", "remove_selectors"):
        selectors = extraction.get(key, [])
        if not isinstance(selectors, list):
            raise _fail(path, sid, f"extraction.{key}", "expected a list of CSS selectors")
        for selector in selectors:
            try:
                soupsieve.compile(selector)
            except (soupsieve.SelectorSyntaxError, TypeError) as exc:
                raise _fail(path, sid, f"extraction.{key}",
                            f"bad CSS selector '{selector}': {exc}") from exc


def _check_rule_layers(path: Path, sid: str, extraction: Mapping[str, Any]) -> None:
    """The template family, rule switches, text patterns, date formats, byline prefixes and
    hook of `[source.extraction]` (see transforms/layers.py)."""
    from transforms.layers import RuleError, check_switch, family_layer, load_hook

    def key(name: str) -> str:
        return f"extraction.{name}"

    def strings(name: str) -> list[str]:
        values = extraction.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise _fail(path, sid, key(name), "expected a list of non-empty strings")
        return values

    checks: list[tuple[str, Any]] = []
    if "family" in extraction:
        family = extraction["family"]
        checks.append(("family", lambda: family_layer(family) if isinstance(family, str)
                       else _raise(RuleError("expected the name of a template family"))))
    checks += [("disable", lambda name=name: check_switch(name)) for name in strings("disable")]
    if "hook" in extraction:
        hook = extraction["hook"]
        checks.append(("hook", lambda: load_hook(hook) if isinstance(hook, str) and ":" in hook
                       else _raise(RuleError("expected 'package.module:Class'"))))
    for name, check in checks:
        try:
            check()
        except RuleError as exc:
            raise _fail(path, sid, key(name), str(exc)) from exc
    for pattern in strings("text_patterns"):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(path, sid, key("text_patterns"),
                        f"bad regular expression '{pattern}': {exc}") from exc
    for fmt in strings("date_formats"):
        if "%" not in fmt:
            raise _fail(path, sid, key("date_formats"),
                        f"'{fmt}' is not a strptime format (e.g. '%d.%m.%Y, %H:%M Uhr')")
    strings("byline_prefixes")


def _raise(exc: Exception) -> None:
    raise exc


def load_sources(
    path: Path | str = DEFAULT_SOURCES,
    substitutions: Mapping[str, str] | None = None,
    *,
    only: str | None = None,
    include_disabled: bool = False,
) -> list[Source]:
    """Sources from a TOML file (`[[source]]` tables). `only` picks one id (an unknown id
    is an error listing the known ones); disabled sources are skipped unless asked."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read sources file: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise ConfigError(f"{path}: key '{unknown[0]}': unknown top-level key "
                          "(sources are [[source]] tables)")
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{path}: no [[source]] tables")
    sources: list[Source] = []
    seen: set[str] = set()
    for raw in raw_sources:
        source = parse_source(path, raw, substitutions or {})
        if source.id in seen:
            raise _fail(path, source.id, "id", "duplicate source id")
        seen.add(source.id)
        sources.append(source)
    if only is not None:
        chosen = [s for s in sources if s.id == only]
        if not chosen:
            raise ConfigError(f"{path}: unknown source id '{only}' "
                              f"(known: {', '.join(s.id for s in sources)})")
        return chosen
    return [s for s in sources if include_disabled or s.enabled]


def configured_sources(settings: Settings, only: str | None = None, *,
                       demo_url: str | None = None) -> list[Source]:
    """The sources a run uses: the file `AUTONEWS_SOURCES` names (default
    `config/sources.toml`), with `{demo_url}` taken from `demo_url` or `AUTONEWS_DEMO_URL`."""
    url = demo_url or settings.demo_url
    return load_sources(settings.sources_file or DEFAULT_SOURCES,
                        {"demo_url": url.rstrip("/")} if url else None, only=only)
