"""`Source`: one news site and how to crawl and clean it, as `config/sources.toml` gives it
(`autonews.sources` parses and checks the file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

_TUPLE_FIELDS = ("sitemaps", "news_sitemaps", "feeds", "listing_pages", "allow", "deny",
                 "allowed_domains")


@dataclass(frozen=True)
class Source:
    """One news site and how to crawl and clean it."""

    id: str
    name: str
    home: str
    sitemaps: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    archive: str | None = None
    archive_pages: int = 5
    listing_pages: tuple[str, ...] = ()
    listing_depth: int = 5
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    language: str | None = None
    timezone: str = "UTC"
    enabled: bool = True
    max_pages: int = 500
    fetch_undated: bool = False
    allow_private_network: bool = False
    crawl_settings: Mapping[str, Any] = field(default_factory=dict)
    extraction: Mapping[str, Any] = field(default_factory=dict)

    @property
    def domains(self) -> tuple[str, ...]:
        """Host names this source may be fetched from (home's host by default)."""
        if self.allowed_domains:
            return self.allowed_domains
        host = urlsplit(self.home).hostname or ""
        return (host,)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["crawl_settings"] = dict(self.crawl_settings)
        data["extraction"] = dict(self.extraction)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Source:
        values = dict(data)
        for key in _TUPLE_FIELDS:
            values[key] = tuple(values.get(key, ()))
        return cls(**values)
