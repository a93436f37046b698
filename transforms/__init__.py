"""Pure transforms: a fetched page (HTML bytes or text) into a clean `Article`, no I/O."""

from transforms.article import EXTRACTOR_VERSION, Article, PageKind, PageRejected, RejectReason
from transforms.extract import explain_article, extract_article
from transforms.layers import FAMILIES, ExtractionHook, RuleError
from transforms.pagekind import Doubt
from transforms.rules import ExtractionRules
from transforms.urls import canonicalize_url, url_hash

__all__ = [
    "EXTRACTOR_VERSION",
    "FAMILIES",
    "Article",
    "Doubt",
    "ExtractionHook",
    "ExtractionRules",
    "PageKind",
    "PageRejected",
    "RejectReason",
    "RuleError",
    "canonicalize_url",
    "explain_article",
    "extract_article",
    "url_hash",
]
