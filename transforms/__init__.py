"""Pure transforms: a fetched page (HTML bytes or text) into a clean `Article`, no I/O."""

from transforms.article import EXTRACTOR_VERSION, Article, PageRejected, RejectReason
from transforms.extract import explain_article, extract_article
from transforms.rules import ExtractionRules
from transforms.urls import canonicalize_url, url_hash

__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "ExtractionRules",
    "PageRejected",
    "RejectReason",
    "canonicalize_url",
    "explain_article",
    "extract_article",
    "url_hash",
]
