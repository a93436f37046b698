"""Refusing is the last resort: what is kept (with its kind and confidence) and what is not."""

from __future__ import annotations

import dataclasses
import json

import pytest

from transforms import PageKind, PageRejected, extract_article
from transforms.text import count_words

SENTENCE = ("The supplier said its new battery plant near the border would start production "
            "next spring, employing about four hundred people in two shifts. ")


def page(body: str, *, title: str = "Supplier to open battery plant near the border",
         head: str = "", og_type: str | None = "article") -> str:
    og = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    return f"""<!doctype html><html lang="en"><head><title>{title} | Example News</title>
<meta property="og:site_name" content="Example News">{og}{head}</head><body>
<header class="site-header"><a href="/">Example News</a></header>
<main><h1>{title}</h1>{body}</main><footer class="site-footer">© Example</footer></body></html>"""


def teaser_rail(count: int) -> str:
    items = "".join(f'<article class="teaser"><h3><a href="/news/story-{i}">Other story {i} '
                    f'about cars</a></h3><p>Short teaser text number {i}.</p></article>'
                    for i in range(count))
    return f'<section class="more-stories">{items}</section>'


ARTICLE_URL = "https://news.example.test/2026/03/04/supplier-to-open-battery-plant/"


def test_an_article_with_a_related_rail_is_kept_with_a_doubt():
    html = page(f'<div class="story"><p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p></div>'
                + teaser_rail(12))
    article = extract_article(html, ARTICLE_URL)
    assert article.page_kind is PageKind.ARTICLE
    assert "battery plant near the border" in article.body
    assert "Other story" not in article.body


def test_a_section_front_that_declares_itself_is_refused():
    html = page(teaser_rail(12), title="Industry news", og_type="website")
    with pytest.raises(PageRejected) as rejected:
        extract_article(html, "https://news.example.test/industry/")
    assert rejected.value.reason.value == "index"


def test_a_declared_collection_page_is_refused_but_kept_when_it_is_an_article():
    listing = json.dumps({"@context": "https://schema.org", "@type": "CollectionPage",
                          "name": "Tag: batteries"})
    html = page(teaser_rail(8), title="Tag: batteries", og_type=None,
                head=f'<script type="application/ld+json">{listing}</script>')
    with pytest.raises(PageRejected):
        extract_article(html, "https://news.example.test/tag/batteries/")


def test_a_short_brief_with_article_markup_is_kept_with_low_confidence():
    html = page(f'<div class="story"><p>{SENTENCE}</p></div>',
                head='<meta property="article:published_time" content="2026-03-04T09:00:00Z">')
    article = extract_article(html, ARTICLE_URL)
    assert article.word_count < 50
    assert "short_text" in article.confidence_reasons
    assert article.extraction_confidence < 0.7


def test_a_short_page_without_any_article_markup_is_refused():
    html = page("<p>This analysis is still being edited. Check back later.</p>", og_type=None,
                title="Analysis coming soon")
    with pytest.raises(PageRejected) as rejected:
        extract_article(html, "https://news.example.test/analysis/coming-soon")
    assert rejected.value.reason.value == "too_short"


def gallery(words: int) -> str:
    images = "".join(f'<figure><img src="/img/{i}.jpg"><figcaption>Stand {i}</figcaption>'
                     f'</figure>' for i in range(15))
    text = " ".join(["word"] * words)
    return f'<div class="gallery-page"><p>{text}</p>{images}</div>'


def test_a_gallery_with_a_caption_only_is_refused_but_an_illustrated_article_kept():
    url = "https://news.example.test/gallery/motor-show-in-pictures/"
    with pytest.raises(PageRejected) as rejected:
        extract_article(page(gallery(12), title="Motor show in pictures"), url)
    assert rejected.value.reason.value == "gallery"
    long = page(gallery(0).replace("<p></p>", f"<p>{SENTENCE * 8}</p>"),
                title="Motor show in pictures")
    article = extract_article(long, url)
    assert "battery plant" in article.body


def test_a_video_page_is_refused_with_a_caption_and_kept_with_a_story():
    video = json.dumps({"@context": "https://schema.org", "@type": "VideoObject",
                        "name": "First drive", "uploadDate": "2026-03-04T10:00:00Z"})
    head = f'<script type="application/ld+json">{video}</script>'
    url = "https://news.example.test/video/first-drive"
    caption = page('<video src="/v.mp4"></video><p>Our first drive in the new van.</p>',
                   head=head, og_type="video.other", title="First drive in the new van")
    with pytest.raises(PageRejected) as rejected:
        extract_article(caption, url)
    assert rejected.value.reason.value == "video"
    story = page(f'<video src="/v.mp4"></video><div class="story"><p>{SENTENCE * 6}</p></div>',
                 head=head, og_type="video.other", title="First drive in the new van")
    article = extract_article(story, url)
    assert article.page_kind is PageKind.VIDEO
    assert "media_page" in article.confidence_reasons


def test_a_live_blog_keeps_every_entry_in_page_order():
    blog = json.dumps({"@context": "https://schema.org", "@type": "LiveBlogPosting",
                       "headline": "Motor show live", "datePublished": "2026-03-04T08:00:00Z"})
    entries = "".join(
        f'<article class="update"><time>{9 + i}:00</time><h2>Update {i}</h2>'
        f'<p>{SENTENCE.replace("spring", f"spring, entry {i},")}</p></article>'
        for i in range(6))
    html = page(f'<div class="updates">{entries}</div>', title="Motor show live",
                head=f'<script type="application/ld+json">{blog}</script>')
    article = extract_article(html, "https://news.example.test/live/motor-show")
    assert article.page_kind is PageKind.LIVEBLOG
    positions = [article.body.index(f"entry {i},") for i in range(6)]
    assert positions == sorted(positions)


def test_comment_threads_never_become_the_body():
    comments = "".join(f'<article class="comment"><p>Reader {i}: {SENTENCE * 2}</p></article>'
                       for i in range(10))
    html = page(f'<div class="story"><p>{SENTENCE.replace("supplier", "carmaker") * 2}</p>'
                f'</div><section id="comments">{comments}</section>')
    article = extract_article(html, ARTICLE_URL)
    assert "carmaker" in article.body
    assert "Reader" not in article.body


def test_words_are_counted_in_scripts_without_spaces():
    assert count_words("六月十二日の歴史的な米朝首脳会談を巡って") == 10  # 20 characters
    assert count_words("ผลตรวจยืนยันศพลอยแม่น้ำโขง") == 6  # 25 characters
    assert count_words("Der neue Kombi im Alltagstest") == 5
    japanese = "自動車メーカーは来年春に新しい電池工場で生産を始めると発表した。" * 4
    html = page(f'<div class="story"><p>{japanese}</p></div>',
                title="電池工場で来年春に生産開始", og_type=None)
    article = extract_article(html, "https://news.example.test/ja/20260304/battery")
    assert article.word_count >= 50


def test_a_page_the_removal_rules_empty_is_cleaned_again_before_it_is_refused():
    thirds = "".join(f'<div class="sidebar-note"><p>{SENTENCE.replace("spring", f"spring ({n})")}'
                     f'{SENTENCE}</p></div>' for n in range(3))
    html = page(f'<article class="story">{thirds}</article>')
    article = extract_article(html, ARTICLE_URL)
    assert "spring (0)" in article.body and "spring (2)" in article.body
    assert "lenient_cleaning" in article.confidence_reasons


def test_the_cleaners_verdict_leaves_the_content_hash_alone_but_a_credit_does_not():
    html = page(f'<div class="story"><p>{SENTENCE * 3}</p></div>')
    article = extract_article(html, ARTICLE_URL)
    doubtful = dataclasses.replace(article, page_kind=PageKind.UNKNOWN,
                                   extraction_confidence=0.2, confidence_reasons=("no_date",),
                                   rules_version="other")
    assert doubtful.content_hash == article.content_hash
    assert dataclasses.replace(article, credit="dpa").content_hash != article.content_hash


def test_a_teaser_heavy_page_that_does_not_declare_itself_a_listing_is_kept_in_doubt():
    # a product-test page: an intro, then a grid of `<article>` cards, no article markup
    intro = f'<div class="intro"><p>{SENTENCE}</p></div>'
    html = page(intro + teaser_rail(12), title="Product tests", og_type=None)
    article = extract_article(html, "https://news.example.test/join-in/product-tests")
    assert article.page_kind in (PageKind.UNKNOWN, PageKind.LISTING)
    assert "listing_layout" in article.confidence_reasons
    assert article.extraction_confidence <= 0.5
