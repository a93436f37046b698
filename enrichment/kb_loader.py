"""Loading the knowledge base: config/kb/*.toml read, checked entry by entry
(`kb_entries.EntryReader`) and indexed into a `KnowledgeBase`."""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from enrichment.kb import CONFIG_DIR, KB_FILES, KnowledgeBase, KnowledgeBaseError, lower_words
from enrichment.kb_entries import EntryReader

log = logging.getLogger(__name__)


def load_knowledge_base(config_dir: Path = CONFIG_DIR) -> KnowledgeBase:
    """Read and check config/kb/*.toml; raise KnowledgeBaseError naming file, entry and key."""
    kb_dir = config_dir / "kb"
    digest = hashlib.sha256()
    tables: dict[str, dict[str, Any]] = {}
    for name in KB_FILES:
        path = kb_dir / name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise KnowledgeBaseError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            tables[name] = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise KnowledgeBaseError(f"{path}: not valid TOML: {exc}") from exc
    reader = EntryReader(kb_dir)
    reader.read_groups(tables["groups.toml"])
    reader.read_brands(tables["brands.toml"])
    reader.read_models(tables["models.toml"])
    reader.read_suppliers(tables["suppliers.toml"])
    reader.read_people(tables["people.toml"])
    reader.check_links()
    reader.check_aliases()
    context = _context_words(kb_dir / "context.toml", tables["context.toml"])
    kb = KnowledgeBase(reader.entities, reader.aliases, context, digest.hexdigest()[:16])
    log.debug("knowledge base %s: %d entities, %d aliases", kb.version, len(kb.entities),
              len(kb.aliases))
    return kb


def _context_words(path: Path, table: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    words = table.get("words")
    if not isinstance(words, dict):
        raise KnowledgeBaseError(f"{path}: key 'words': expected a table of languages")
    result: dict[str, tuple[str, ...]] = {}
    for lang, items in words.items():
        if not isinstance(items, list) or not all(isinstance(w, str) and w for w in items):
            raise KnowledgeBaseError(f"{path}: key 'words.{lang}': expected a list of words")
        result[lang] = tuple(lower_words(items))
    return result
