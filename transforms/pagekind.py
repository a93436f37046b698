"""What a page is (article, live blog, gallery...), how sure the cleaner is, and the few
pages it refuses: refusing loses an article for good, so it needs positive evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from transforms.article import PageKind, PageRejected, RejectReason
from transforms.jsonld import GALLERY_TYPES, INDEX_TYPES, VIDEO_TYPES

# Thresholds, calibrated together on the dev split of the real-page corpora
# (bench/corpora.py) and the golden pages, not one by one: the demo's gallery (6 words)
# and video page (17) and the golden ones (18-45 words) are captions only, while the
# shortest real articles carrying a gallery or an embedded video have 100+ words.
# Below these many words a declared gallery / video page holds a caption and nothing else.
GALLERY_CAPTION_WORDS = 80
VIDEO_CAPTION_WORDS = 80
# Below this many words (and below the source's `min_words`) a page without any article
# markup is a placeholder ("still being edited, check back later": the demo's has 9
# words) and is refused; the shortest real pages without markup on the dev split (short
# news items, service pages) have 37-47 words, and are kept with the short_text doubt.
PLACEHOLDER_WORDS = 25
# A gallery shows at least this many images.
MIN_GALLERY_IMAGES = 6
# A page with at least this many `<article>` teasers (none holding half their text), or
# this many linked headings with under LISTING_WORDS_PER_HEADING words each, is laid out
# as a listing.
MIN_TEASERS = 5
MIN_LINKED_HEADINGS = 5
LISTING_WORDS_PER_HEADING = 60
# Confidence lost per doubt; the floor keeps a kept page distinguishable from a reject.
PENALTIES = {
    "short_text": 0.35, "no_article_markup": 0.1, "teaser_rails": 0.2, "no_date": 0.1,
    "density_root": 0.1, "media_page": 0.25, "listing_layout": 0.3, "link_heavy": 0.2,
    "lenient_cleaning": 0.25, "script_text": 0.15,
}
CONFIDENCE_FLOOR = 0.05

_GALLERY_WORDS = ("gallery", "galerie", "photos", "in pictures", "pictures:", "bildergalerie",
                  "fotos", "fotogalerie", "diaporama", "fotostrecke")
_SECTION_PATH = re.compile(r"^/(?:(?:tag|tags|category|categories|section|sections|topic|"
                           r"topics|thema|themen|rubrik|archive|archiv|author|autor|page|"
                           r"search|suche)(?:/.*)?|[a-z]{2,20}/?|(?:[a-z]{2,20}/){1,2}(?:page/\d+/?)?)?$")


class Doubt(StrEnum):
    """Why `extraction_confidence` is below 1 (stored with the article, filterable)."""

    SHORT_TEXT = "short_text"
    NO_ARTICLE_MARKUP = "no_article_markup"
    TEASER_RAILS = "teaser_rails"
    NO_DATE = "no_date"
    DENSITY_ROOT = "density_root"
    MEDIA_PAGE = "media_page"
    LISTING_LAYOUT = "listing_layout"
    LINK_HEAVY = "link_heavy"
    LENIENT_CLEANING = "lenient_cleaning"  # kept only by cleaning again, rules relaxed
    SCRIPT_TEXT = "script_text"  # the body is the text of the page's structured data


@dataclass(frozen=True)
class Evidence:
    """What the cleaner saw of a page, for the verdict."""

    url: str
    title: str | None
    words: int
    images: int
    linked_headings: int
    teaser_sizes: tuple[int, ...]
    page_types: frozenset[str]
    og_type: str | None
    article_node: bool  # an article-typed JSON-LD node
    own_date: bool  # a publication date from the page's markup (not the URL)
    authors: bool
    density_root: bool  # the body was found by text density, not a known container
    min_words: int
    liveblog: bool
    link_heavy: bool = False
    lenient: bool = False
    scripted: bool = False  # body from the structured data (JSON-LD), not the markup


@dataclass(frozen=True)
class Verdict:
    kind: PageKind
    confidence: float
    reasons: tuple[str, ...]


def classify_page(ev: Evidence) -> Verdict:
    """The page's kind and confidence, or `PageRejected` on positive evidence that it holds
    no article (a declared listing, no text at all, a gallery / video caption alone)."""
    declared = ev.article_node or (ev.og_type or "").startswith("article")
    markup = declared or ev.own_date or ev.authors
    lowered = f"{ev.url} {ev.title or ''}".lower()
    try:
        path = urlsplit(ev.url).path or "/"
    except ValueError:  # a URL urllib cannot split ("http://[broken/"): no path evidence
        path = ""

    gallery = bool(ev.page_types & GALLERY_TYPES) or "gallery" in (ev.og_type or "") or any(
        w in lowered for w in _GALLERY_WORDS)
    if gallery and ev.images >= MIN_GALLERY_IMAGES and ev.words < GALLERY_CAPTION_WORDS:
        raise PageRejected(RejectReason.GALLERY, f"{ev.images} images, {ev.words} words")
    video = (bool(ev.page_types & VIDEO_TYPES) or (ev.og_type or "").startswith("video")) \
        and not ev.article_node and not (ev.og_type or "").startswith("article")
    if video and ev.words < VIDEO_CAPTION_WORDS:
        raise PageRejected(RejectReason.VIDEO, f"video page, {ev.words} words")

    teasers = len(ev.teaser_sizes) >= MIN_TEASERS and \
        max(ev.teaser_sizes) < 0.5 * sum(ev.teaser_sizes)
    headings = ev.linked_headings >= MIN_LINKED_HEADINGS and \
        ev.words < LISTING_WORDS_PER_HEADING * ev.linked_headings
    layout = teasers or headings
    listing_declared = (bool(ev.page_types & INDEX_TYPES) and not ev.article_node) or (
        ev.og_type == "website" and bool(_SECTION_PATH.match(path)))
    # a listing layout alone is no proof (article pages carry teaser rails): the page
    # has to declare itself a listing; undeclared, it is kept as `unknown`, in doubt
    if layout and not declared and listing_declared:
        raise PageRejected(RejectReason.INDEX,
                           f"{len(ev.teaser_sizes)} teasers, {ev.linked_headings} linked headings")
    if ev.words == 0:
        raise PageRejected(RejectReason.EMPTY, "no body text")
    refuse_below = min(ev.min_words, PLACEHOLDER_WORDS)
    if ev.words < refuse_below and not markup:
        raise PageRejected(RejectReason.TOO_SHORT, f"{ev.words} words < {refuse_below}")

    doubts: list[Doubt] = []
    if ev.words < ev.min_words:
        doubts.append(Doubt.SHORT_TEXT)
    if not declared:
        doubts.append(Doubt.NO_ARTICLE_MARKUP)
    if not ev.own_date:
        doubts.append(Doubt.NO_DATE)
    if ev.density_root:
        doubts.append(Doubt.DENSITY_ROOT)
    if ev.link_heavy:
        doubts.append(Doubt.LINK_HEAVY)
    if ev.lenient:
        doubts.append(Doubt.LENIENT_CLEANING)
    if ev.scripted:
        doubts.append(Doubt.SCRIPT_TEXT)
    kind = PageKind.ARTICLE
    if ev.liveblog:
        kind = PageKind.LIVEBLOG
    elif video:
        kind = PageKind.VIDEO
        doubts.append(Doubt.MEDIA_PAGE)
    elif gallery and ev.images >= MIN_GALLERY_IMAGES and not declared:
        kind = PageKind.GALLERY
        doubts.append(Doubt.MEDIA_PAGE)
    elif layout and (listing_declared or not markup):
        kind = PageKind.LISTING if listing_declared else PageKind.UNKNOWN
        doubts.append(Doubt.LISTING_LAYOUT)
    elif layout:
        doubts.append(Doubt.TEASER_RAILS)
    confidence = max(CONFIDENCE_FLOOR, 1.0 - sum(PENALTIES[d.value] for d in doubts))
    return Verdict(kind, round(confidence, 2), tuple(d.value for d in doubts))
