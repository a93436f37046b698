"""The `Article` record the cleaner produces, and the typed rejection it raises instead."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from autonews.core.vocabulary import PageKind, RejectReason

# Bump when extraction output can change for the same page: `autonews reclean` and the
# `articles.extractor_version` column tell which rows an improved cleaner has reached.
EXTRACTOR_VERSION = "2.2.0"


class PageRejected(Exception):
    """Raised by `extract_article` for a page that holds no article worth loading."""

    def __init__(self, reason: RejectReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Article:
    """One clean news article. Datetimes are timezone-aware UTC."""

    url: str
    canonical_url: str
    title: str
    body: str
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    date_source: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    site_name: str | None = None
    image_url: str | None = None
    word_count: int = 0
    reading_time_minutes: int | None = None
    is_paywalled: bool = False
    # Who is credited when no person is: an agency or the site itself ("dpa", "Reuters");
    # never mixed into `authors`.
    credit: str | None = None
    # How sure the cleaner is that this is one article and that `body` is all of it
    # (0..1), and why it is less than 1 (slugs of `transforms.pagekind.Doubt`).
    page_kind: PageKind = PageKind.ARTICLE
    extraction_confidence: float = 1.0
    confidence_reasons: tuple[str, ...] = ()
    # The version of the rule layers used (generic + family + source), for reclean.
    rules_version: str | None = None
    extractor_version: str = EXTRACTOR_VERSION

    @property
    def content_hash(self) -> str:
        """Hash of what an analyst would see change; not the URL, the extractor or rules
        version, nor the cleaner's own verdict (`page_kind`, confidence): a cleaner that
        only grows surer of a page must not turn every stored article into an update."""
        payload = {
            name: _jsonable(getattr(self, name))
            for name in CONTENT_FIELDS
        }
        if self.credit is not None:  # only when set: hashes of articles without one stay
            payload["credit"] = self.credit
        raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 strings)."""
        out = {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        out["content_hash"] = self.content_hash
        return out


CONTENT_FIELDS = (
    "canonical_url", "title", "description", "authors", "published_at", "modified_at",
    "language", "section", "tags", "site_name", "image_url", "body", "is_paywalled",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
