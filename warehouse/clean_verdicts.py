"""`clean_verdicts`: what the cleaner last made of each article URL (the extracted article or
the reason it refused the page), with the content and rule set it read, so that a page
whose content and rules have not changed is not extracted again (issue 17)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from autonews.core.vocabulary import PageKind
from transforms import Article


@dataclass(frozen=True)
class Verdict:
    """The cleaner's outcome for one stored copy: `article`, or `reason` and `detail`."""

    article: Article | None = None
    reason: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class VerdictKey:
    """What an extraction depends on besides the code: a verdict is reused only when every
    field is the same as when it was made."""

    source_id: str
    url_hash: str
    content_hash: str
    page_url: str
    content_type: str | None
    rules_version: str
    extractor_version: str


_DATETIMES = ("published_at", "modified_at")


def article_payload(article: Article) -> dict[str, Any]:
    """The article as JSON, every field (not the derived `content_hash`)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(article):
        value = getattr(article, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def article_from_payload(payload: dict[str, Any]) -> Article:
    """The `Article` `article_payload` stored, field for field."""
    values = dict(payload)
    for name in _DATETIMES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    values["page_kind"] = PageKind(values["page_kind"])
    values["confidence_reasons"] = tuple(values.get("confidence_reasons") or ())
    values["authors"] = list(values.get("authors") or [])
    values["tags"] = list(values.get("tags") or [])
    names = {f.name for f in dataclasses.fields(Article)}
    return Article(**{k: v for k, v in values.items() if k in names})


def reusable_verdicts(conn: psycopg.Connection[Any], keys: Sequence[VerdictKey]
                      ) -> dict[str, Verdict]:
    """url_hash -> stored verdict, for the keys whose stored verdict was made from the same
    content, URL, content type, rules version and extractor version."""
    if not keys:
        return {}
    by_hash = {k.url_hash: k for k in keys}
    source_ids = {k.source_id for k in keys}
    if len(source_ids) != 1:
        raise ValueError("verdicts are looked up one source at a time")
    rows = conn.execute(
        """SELECT url_hash, content_hash, page_url, content_type, rules_version,
                  extractor_version, reason, detail, article
             FROM clean_verdicts WHERE source_id = %s AND url_hash = ANY(%s)""",
        (next(iter(source_ids)), list(by_hash))).fetchall()
    found: dict[str, Verdict] = {}
    for (url_hash, content_hash, page_url, content_type, rules, extractor, reason, detail,
         payload) in rows:
        key = by_hash[url_hash]
        if (content_hash, page_url, content_type, rules, extractor) != (
                key.content_hash, key.page_url, key.content_type, key.rules_version,
                key.extractor_version):
            continue
        if reason is not None:
            found[url_hash] = Verdict(reason=reason, detail=detail or "")
        else:
            found[url_hash] = Verdict(article=article_from_payload(payload))
    return found


def save_verdicts(conn: psycopg.Connection[Any],
                  verdicts: Sequence[tuple[VerdictKey, Verdict]]) -> None:
    """Store (replace) the verdict of each key's URL, in the caller's transaction."""
    if not verdicts:
        return
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO clean_verdicts (source_id, url_hash, content_hash, page_url,
                                           content_type, rules_version, extractor_version,
                                           reason, detail, article)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (source_id, url_hash) DO UPDATE
                  SET content_hash = EXCLUDED.content_hash, page_url = EXCLUDED.page_url,
                      content_type = EXCLUDED.content_type,
                      rules_version = EXCLUDED.rules_version,
                      extractor_version = EXCLUDED.extractor_version,
                      reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                      article = EXCLUDED.article, cleaned_at = now()""",
            [(k.source_id, k.url_hash, k.content_hash, k.page_url, k.content_type,
              k.rules_version, k.extractor_version, v.reason, v.detail if v.reason else None,
              Jsonb(article_payload(v.article)) if v.article is not None else None)
             for k, v in verdicts])
