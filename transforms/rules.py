"""Extraction rules as data: boilerplate selectors by concept, content selectors, text patterns.

Code in `content.py` walks these tables; a new template family is usually a line here or a
per-source override in `config/sources.toml`, not new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Tags never part of article text.
DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "form", "button", "input", "select", "textarea", "label", "nav", "footer", "aside",
    "dialog", "menu", "figcaption", "picture", "img", "video", "audio", "source", "map",
    "link", "meta", "head",
    # AMP components that carry no text
    "amp-ad", "amp-embed", "amp-analytics", "amp-social-share", "amp-sidebar",
    "amp-img", "amp-carousel", "amp-video", "amp-iframe", "amp-pixel", "amp-consent",
    "amp-user-notification", "amp-sticky-ad", "amp-auto-ads",
)

# Exact selectors of known templates, grouped by concept. Removed wherever they appear.
BOILERPLATE_SELECTORS: dict[str, tuple[str, ...]] = {
    "share": (
        ".sharedaddy", ".share-buttons", ".social-share", ".td-post-sharing",
        ".td-post-sharing-top", ".td-post-sharing-bottom", ".jeg_share_button", ".ssba",
        ".addtoany_share_save_container", ".a2a_kit", ".heateor_sss_sharing_container",
        ".shariff", ".post-share", ".entry-share", ".share-bar", ".sharing", ".gh-share",
        "[data-share]", ".article-share",
    ),
    "comments": (
        "#comments", "#respond", ".comments-area", ".comment-respond", ".comment-list",
        ".commentlist", "#disqus_thread", ".comments", ".comment-form", "#comment-form",
        ".comment-section", ".node__comments", "section.comments", ".post-comments",
        ".fb-comments", ".coral-comments",
    ),
    "related": (
        ".related-posts", ".jp-relatedposts", ".td-related-row", ".td_block_related_posts",
        ".yarpp-related", ".crp_related", ".related", ".related-articles", ".read-more",
        ".more-stories", ".post-navigation", ".nav-links", ".gh-read-next", ".read-next",
        ".recommended", ".you-may-like", ".also-read", ".inline-related", ".kg-bookmark-card",
    ),
    "newsletter": (
        ".newsletter", ".newsletter-box", ".signup", ".subscribe-box", ".mc4wp-form",
        ".gh-cta", ".gh-post-upgrade-cta", ".kg-signup-card", ".email-signup",
        ".subscription-box", ".paywall-cta",
    ),
    "ads": (
        ".ad", ".ads", ".advert", ".advertisement", ".ad-slot", ".ad-container",
        ".td-a-rec", ".adsbygoogle", "[data-ad-slot]", ".dfp-ad", ".sponsored",
        ".ad-wrapper", ".gpt-ad",
    ),
    "consent": (
        "#cookie-notice", ".cookie-banner", ".cookie-consent", "#onetrust-consent-sdk",
        ".cc-window", ".gdpr", "#cmplz-cookiebanner-container", ".consent-banner",
    ),
    "author_box": (
        ".author-box", ".about-author", ".author-bio", ".td-author-box", ".jeg_authorbox",
        ".post-author-box", ".author-card", ".gh-author-card", ".author-info",
    ),
    "byline": (
        ".byline", ".post-meta", ".entry-meta", ".td-module-meta-info", ".meta-info",
        ".article-meta", ".post-info", ".submitted", ".node__meta", ".gh-article-meta",
        ".article-byline", ".posted-on", ".reading-time", ".read-time", ".jeg_meta_container",
    ),
    "title": (
        ".entry-title", ".post-title", ".td-post-title", ".article-title", ".gh-article-title",
        ".page-title", ".headline",
    ),
    "breadcrumbs": (".breadcrumb", ".breadcrumbs", "#breadcrumbs", ".yoast-breadcrumb",
                    "[itemtype*=BreadcrumbList]"),
    "tags": (".tags", ".tag-links", ".post-tags", ".entry-tags", ".td-tags", ".tagcloud",
             ".field--name-field-tags", ".article-tags"),
    "navigation": (".menu", ".navbar", ".site-header", ".header", ".top-bar", ".mobile-menu",
                   ".pagination", ".page-links", ".pager", ".skip-link", ".screen-reader-text"),
    "sidebar": (".sidebar", "#sidebar", ".widget-area", ".widget", ".td-ss-main-sidebar",
                ".region-sidebar-first", ".region-sidebar-second"),
    "footer": (".site-footer", "#footer", ".footer", ".region-footer"),
    "media": (".wp-caption-text", ".caption", ".credit", ".image-credit", ".photo-credit",
              ".kg-callout-emoji",
              ".gallery", ".kg-gallery-card", ".video-player", ".embed-responsive"),
}

# Generic words in class/id names, grouped by concept: an element whose class or id holds
# one of these words is boilerplate unless it holds most of the article's text.
BOILERPLATE_WORDS: dict[str, tuple[str, ...]] = {
    "share": ("share", "sharing", "social", "sharer"),
    "comments": ("comment", "comments", "respond", "reply", "disqus", "discussion"),
    "related": ("related", "recommended", "recommendations", "readmore", "outbrain", "bookmark",
                "taboola", "popular", "trending", "mostread", "morestories", "readnext"),
    "newsletter": ("newsletter", "subscribe", "subscription", "signup", "optin", "paywall",
                   "premium", "upsell", "membership"),
    "ads": ("ad", "ads", "advert", "advertisement", "adslot", "banner", "sponsor",
            "sponsored", "promo", "dfp", "gpt"),
    "consent": ("cookie", "cookies", "consent", "gdpr", "onetrust"),
    "author_box": ("authorbox", "bio", "authorbio"),
    "byline": ("byline", "meta", "dateline", "readtime", "readingtime", "postmeta", "header",
               "kicker", "eyebrow", "badge"),
    "breadcrumbs": ("breadcrumb", "breadcrumbs", "crumbs"),
    "tags": ("tags", "taglist", "keywords"),
    "navigation": ("nav", "navigation", "menu", "pagination", "pager", "toolbar", "skip"),
    "sidebar": ("sidebar", "widget", "rail"),
    "footer": ("footer", "copyright"),
    "print": ("print", "printer", "email", "mailto"),
}

# Main-content containers of known templates, most specific first.
CONTENT_SELECTORS: tuple[str, ...] = (
    "[itemprop=articleBody]", ".entry-content", ".td-post-content", ".post-content",
    ".article-content", ".article-body", ".article__body", ".story-body", ".story-content",
    ".field--name-body", ".node__content", ".gh-content", ".post-body", ".amp-article-body",
    ".c-entry-content", ".content-body", "[data-testid=article-body]", ".articleBody",
    ".live-blog", ".liveblog", ".jeg_post_content", ".single-content", "article",
    "[role=main]", "main",
)

# Whole blocks of text that are template furniture, not article text (matched after
# whitespace collapsing, case-insensitive, anchored). Grouped by concept for --explain.
BOILERPLATE_TEXT: dict[str, tuple[str, ...]] = {
    "reading_time": (
        r"\d+\s*(min|mins|minute|minutes)\.?\s*(read|reading|de lecture|de lectura|lesezeit)",
        r"(reading time|read time|lesezeit|lesedauer|temps de lecture|lecture|tiempo de lectura|"
        r"lectura)\s*:?\s*\d+\s*\w*\.?",
    ),
    "share": (r"share( this)?( article| post| story)?:?", r"(teilen|partager|compartir)\s*:?",
              r"(tweet|facebook|twitter|linkedin|whatsapp|pinterest|email|copy link)"),
    "comments": (
        r"leave a (comment|reply)", r"(\d+\s+)?comments?", r"add new comment",
        r"your email address will not be published\.?.*",
        r"kommentar (schreiben|hinterlassen)", r"laisser un commentaire",
        r"deja un comentario", r"post comment", r"join the discussion",
    ),
    "related": (r"(related|read (also|more|next)|also read|see also|you might also like|"
                r"more from .{1,40}|read:|recommended)\b.{0,140}",
                # whole-block cues in other languages ("Mehr zum Thema", "Lesen Sie auch")
                r"(mehr zum thema|lesen sie auch|auch interessant|das könnte sie auch "
                r"interessieren|weitere artikel|weiterlesen|à lire aussi|lire aussi|voir aussi|"
                r"lee también|leer más|te puede interesar|leia também|leggi anche|"
                r"zobacz również|czytaj też|lees ook|meer lezen|devamını oku|ilginizi "
                r"çekebilir)\b\s*:?.{0,140}",
                r"(table of contents|contents|inhaltsverzeichnis|inhalt|sommaire|índice)\s*:?"),
    "credits": (r"(foto|fotos|photo|photos|bild|bilder|image|images|credit|quelle|source|"
                r"crédit|crédito|video)\s*:\s*.{1,60}",),
    "ads": (r"advertisement", r"sponsored( content)?", r"anzeige", r"publicité", r"publicidad"),
    "newsletter": (r"(sign up|subscribe).{0,80}(newsletter|inbox|updates)\.?",),
    "navigation": (r"(previous|next)\s+(post|article|page)\s*.{0,120}", r"page \d+ of \d+",
                   r"(continued|suite|fortsetzung|continúa)\s+(from|on|de la|von|de la)\s+"
                   r"(page|seite|página)\s*\d+\.?",
                   r"next page\s*»?", r"«?\s*previous page", r"printer friendly version",
                   r"email this story", r"back to top"),
}

READING_TIME_PATTERNS: tuple[str, ...] = (
    r"(\d+)\s*(?:min|mins|minute|minutes|minuten)\.?\s*(?:read|reading|de lecture|de lectura|"
    r"lesezeit|lesedauer)",
    r"(?:reading time|read time|lesezeit|lesedauer|temps de lecture|lecture|tiempo de lectura|"
    r"lectura)\s*:?\s*(\d+)\s*(?:min|minute|minutes|minuten|mn)",
)

# Words that open a byline; each alternative carries its own end (a word boundary, or the
# colon of "Author: ..."), so patterns use it without a trailing \b.
BYLINE_PREFIXES = (r"(?:(?:submitted by|posted by|written by|words by|reported by|"
                   r"veröffentlicht von|erstellt von|geschrieben von|publié par|écrit par|"
                   r"publicado por|escrito por|scritto da|by|von|par|por|di|door)\b|"
                   r"(?:text|texte|words|author|autor|auteur|autorin|interview)\s*:)")
# Words that are never a person's name in a byline.
NOT_NAMES = frozenset({"by", "von", "par", "por", "staff", "admin", "administrator", "editor",
                       "editors", "redaktion", "rédaction", "redacción", "team", "newsroom",
                       "anonymous", "guest", "contributor", "unknown"})

# Class/id words of containers whose bylines, dates and reading times belong to other
# articles (teasers, comments), not to the page's own.
IGNORE_CONTEXT_WORDS = frozenset({"comment", "comments", "related", "sidebar", "widget",
                                  "footer", "respond", "reply", "popular", "recommended",
                                  "trending", "teaser"})

# Below this many words a page is rejected as too short.
MIN_WORDS = 50
# Words per minute for a computed reading time.
WORDS_PER_MINUTE = 230


@dataclass(frozen=True)
class ExtractionRules:
    """A source's rules (`[source.extraction]` in `config/sources.toml`, all optional) on
    top of its template family's (`family`, see `transforms/layers.py`) and the generic
    tables above. `extract_article` merges the layers (`layers.layered`);
    `layers.rules_version` fingerprints all three, so a reclean can pick the sources whose
    rules changed."""

    content_selectors: tuple[str, ...] = ()
    remove_selectors: tuple[str, ...] = ()
    title_selector: str | None = None
    author_selector: str | None = None
    date_selector: str | None = None
    timezone: str | None = None
    language: str | None = None
    min_words: int = MIN_WORDS
    family: str | None = None  # a key of `layers.FAMILIES`; None: generic rules only
    # generic rules switched off: a concept ("related"), or one kind of it
    # ("selector:related", "class_word:related", "text:related"), or "density_root"
    disable: frozenset[str] = frozenset()
    text_patterns: tuple[str, ...] = ()  # more whole-block boilerplate (regular expressions)
    date_formats: tuple[str, ...] = ()  # strptime formats of the site's written dates
    byline_prefixes: tuple[str, ...] = ()  # words opening the site's bylines ("Texto:")
    hook: str | None = None  # "package.module:Class", a `layers.ExtractionHook`
    # the family's containers: tried before the generic ones, checked like them
    preferred_selectors: tuple[str, ...] = ()
    merged_version: str | None = field(default=None, compare=False)  # set by `layered`

    def disabled(self, kind: str, concept: str) -> bool:
        """Whether the generic rule `kind:concept` is switched off."""
        return concept in self.disable or f"{kind}:{concept}" in self.disable


DEFAULT_RULES = ExtractionRules()


def compile_text_rules() -> list[tuple[str, re.Pattern[str]]]:
    """Anchored regexes of `BOILERPLATE_TEXT`, with their concept."""
    return [
        (concept, re.compile(rf"^(?:{pattern})$", re.IGNORECASE))
        for concept, patterns in BOILERPLATE_TEXT.items()
        for pattern in patterns
    ]
