"""HTML of the demo site's three template families, written for this project.

- motorwire: a WordPress news theme (byline twice, "N Min Read", "Share This Article",
  "Leave a comment", the reply form), Yoast-style JSON-LD `@graph`;
- autoledger: a modern publisher (React markup, JSON-LD `NewsArticle`, inline newsletter
  and "Read more" boxes);
- gearbox: Drupal 10 (no JSON-LD; the date only in "Submitted by ... on" in local time).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from datetime import datetime
from html import escape

from autonews.demo.catalog import SITE_NAMES, DemoArticle

MW_MENU = ("Automobile", "Electric Vehicles", "Industry", "Motorsport")


def _e(text: str) -> str:
    return escape(text, quote=True)


def _body_html(article: DemoArticle, inline: Sequence[str] = (), every: int = 3) -> str:
    """Article blocks as HTML, with `inline` boilerplate snippets inserted between them."""
    parts = []
    extras = list(inline)
    for index, (kind, text) in enumerate(article.blocks, start=1):
        if kind == "heading":
            parts.append(f"<h2>{_e(text)}</h2>")
        elif kind == "list":
            items = "".join(f"<li>{_e(item)}</li>" for item in text.split("\n"))
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{_e(text)}</p>")
        if extras and index % every == 0 and index < len(article.blocks):
            parts.append(extras.pop(0))
    return "\n".join(parts)


def _minutes(article: DemoArticle) -> int:
    return max(1, math.ceil(article.word_count / 200))


def _long_date(value: datetime) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _teasers(base: str, others: Sequence[DemoArticle]) -> str:
    return "".join(
        f'<div class="related-post"><a href="{base}{a.path}">{_e(a.title)}</a>'
        f'<span class="post-date">{_long_date(a.published)}</span></div>'
        for a in others
    )


# ---------------------------------------------------------------- motorwire (WordPress)


def motorwire_article(base: str, article: DemoArticle, related: Sequence[DemoArticle]) -> str:
    author = article.authors[0] if article.authors else "Motor Wire Staff"
    author_slug = author.lower().replace(" ", "-")
    url = f"{base}{article.path}"
    modified = article.modified or article.published
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Article", "@id": f"{url}#article", "isPartOf": {"@id": url},
             "author": {"@id": f"{base}/motorwire/#/schema/person/{author_slug}"},
             "headline": article.title, "datePublished": article.published.isoformat(),
             "dateModified": modified.isoformat(), "mainEntityOfPage": {"@id": url},
             "wordCount": article.word_count, "articleSection": [article.section],
             "keywords": list(article.tags), "inLanguage": "en-GB",
             "publisher": {"@id": f"{base}/motorwire/#organization"}},
            {"@type": "WebPage", "@id": url, "url": url, "name": f"{article.title} - Motor Wire",
             "datePublished": article.published.isoformat()},
            {"@type": "Person", "@id": f"{base}/motorwire/#/schema/person/{author_slug}",
             "name": author, "url": f"{base}/motorwire/author/{author_slug}/"},
            {"@type": "Organization", "@id": f"{base}/motorwire/#organization",
             "name": "Motor Wire", "url": f"{base}/motorwire/"},
        ],
    }
    ad = ('<div class="code-block code-block-3" style="margin: 8px auto; text-align: center;">'
          '<span class="ad-label">Advertisement</span><ins class="adsbygoogle" '
          'data-ad-slot="2231"></ins></div>')
    also = (f'<p class="also-read"><strong>Also Read:</strong> <a href="{base}'
            f'{related[0].path}">{_e(related[0].title)}</a></p>') if related else ""
    tags = "".join(f'<a href="{base}/motorwire/tag/{_e(t.lower().replace(" ", "-"))}/" '
                   f'rel="tag">{_e(t)}</a>' for t in article.tags)
    comments = ""
    if article.word_count % 2:
        comments = (
            '<h3 class="comments-title">2 Comments</h3><ol class="comment-list">'
            '<li class="comment"><div class="comment-author vcard"><b class="fn">Petrolhead88'
            '</b> <span class="says">says:</span></div><div class="comment-content"><p>Seen it '
            'all before, they announce big plans and then quietly drop them a year later.</p>'
            '</div><div class="reply"><a class="comment-reply-link">Reply</a></div></li>'
            '<li class="comment"><div class="comment-author vcard"><b class="fn">K. Morris</b>'
            '</div><div class="comment-content"><p>Good write-up, thanks. Would be great to '
            'see the numbers for the previous year too.</p></div></li></ol>'
        )
    menu = "".join(f'<li class="menu-item"><a href="{base}/motorwire/category/'
                   f'{m.lower().replace(" ", "-")}/">{m}</a></li>' for m in MW_MENU)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(article.title)} - Motor Wire</title>
<meta name="description" content="{_e(article.description)}">
<link rel="canonical" href="{url}">
<meta property="og:locale" content="en_GB">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(article.title)} - Motor Wire">
<meta property="og:description" content="{_e(article.description)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="Motor Wire">
<meta property="article:published_time" content="{article.published.isoformat()}">
<meta property="article:modified_time" content="{modified.isoformat()}">
<meta property="og:image" content="{base}/motorwire/wp-content/uploads/2026/11/{article.slug}.jpg">
<meta name="author" content="{_e(author)}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="{_e(author)}">
<meta name="twitter:label2" content="Est. reading time">
<meta name="twitter:data2" content="{_minutes(article)} minutes">
<script type="application/ld+json" class="yoast-schema-graph">{json.dumps(graph)}</script>
<link rel="stylesheet" id="newsreel-style-css" href="{base}/motorwire/wp-content/themes/newsreel/style.css?ver=2.4.1" media="all">
<script src="{base}/motorwire/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
<body class="post-template-default single single-post postid-{article.nid} single-format-standard wp-embed-responsive">
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom">
<div class="cookie-notice-container"><span id="cn-notice-text">We use cookies to give you the best experience on our website. If you continue to use this site we will assume that you are happy with it.</span><a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">Ok</a></div></div>
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
<div class="top-bar"><span class="top-date">Friday, November 13, 2026</span><a href="{base}/motorwire/contact/">Contact</a> <a href="{base}/motorwire/advertise/">Advertise</a></div>
<div class="site-branding"><p class="site-title"><a href="{base}/motorwire/" rel="home">Motor Wire</a></p><p class="site-description">Automotive news, every day</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{menu}</ul></nav>
</header>
<div id="content" class="site-content">
<nav class="breadcrumbs" aria-label="breadcrumb"><a href="{base}/motorwire/">Home</a> » <a href="{base}/motorwire/category/{article.section_slug}/">{_e(article.section)}</a> » <span>{_e(article.title)}</span></nav>
<div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{article.nid}" class="post-{article.nid} post type-post status-publish format-standard has-post-thumbnail hentry category-{article.section_slug}">
<header class="entry-header">
<div class="post-cats"><a href="{base}/motorwire/category/{article.section_slug}/" rel="category tag">{_e(article.section)}</a></div>
<h1 class="entry-title">{_e(article.title)}</h1>
<div class="entry-meta">
<div class="author-avatar"><img alt="" src="{base}/motorwire/wp-content/uploads/avatars/{author_slug}.jpg" class="avatar" height="40" width="40"><span class="author-name">{_e(author)}</span></div>
<span class="byline">By <span class="author vcard"><a class="url fn n" href="{base}/motorwire/author/{author_slug}/">{_e(author)}</a></span></span>
<span class="reading-time">{_minutes(article)} Min Read</span>
<span class="posted-on"><time class="entry-date published" datetime="{article.published.isoformat()}">{_long_date(article.published)}</time><time class="updated" datetime="{modified.isoformat()}">{_long_date(modified)}</time></span>
</div>
</header>
<figure class="post-thumbnail"><img width="1200" height="675" src="{base}/motorwire/wp-content/uploads/2026/11/{article.slug}.jpg" alt="{_e(article.title)}"><figcaption class="wp-caption-text">{_e(article.title)}</figcaption></figure>
<div class="entry-content">
{_body_html(article, [ad, also], every=3)}
</div>
<footer class="entry-footer">
<div class="post-tags"><span class="tags-title">Tags:</span> {tags}</div>
<div class="share-box"><span class="share-title">Share This Article</span>
<a class="share-facebook" href="https://www.facebook.com/sharer.php?u={url}">Facebook</a>
<a class="share-twitter" href="https://twitter.com/intent/tweet?url={url}">Twitter</a>
<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={url}">WhatsApp</a>
<a class="share-email" href="mailto:?body={url}">Email</a> <a class="copy-link" href="#">Copy Link</a></div>
</footer>
<div class="author-box"><img alt="" src="{base}/motorwire/wp-content/uploads/avatars/{author_slug}.jpg" class="avatar"><div class="author-info"><h4 class="author-title">{_e(author)}</h4><p class="author-bio">{_e(author)} writes about cars, the companies that build them and the people who drive them.</p></div></div>
<div class="related-posts"><h3 class="related-title">You Might Also Like</h3>{_teasers(base, related)}</div>
<div id="comments" class="comments-area">
<a href="#respond" class="leave-comment-link">Leave a comment</a>
{comments}
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="{base}/motorwire/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label><textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label><input id="author" name="author" type="text" size="30" required></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label><input id="email" name="email" type="email" size="30" required></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
</form></div></div>
</article>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">Latest News</h2><ul>{"".join(f'<li><a href="{base}{a.path}">{_e(a.title)}</a></li>' for a in related)}</ul></section>
<section class="widget widget_newsletter"><h2 class="widget-title">Newsletter</h2><p>Get the day's car news in your inbox every morning.</p></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">© 2026 Motor Wire. All rights reserved. <a href="{base}/motorwire/privacy-policy/">Privacy Policy</a></div></footer>
</div>
<script src="{base}/motorwire/wp-content/themes/newsreel/js/navigation.js?ver=2.4.1"></script>
</body>
</html>
"""


# ---------------------------------------------------------------- autoledger (JSON-LD publisher)


def autoledger_article(base: str, article: DemoArticle, related: Sequence[DemoArticle]) -> str:
    url = f"{base}{article.path}"
    modified = article.modified or article.published
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": article.description,
        "datePublished": article.published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": [{"@type": "Person", "name": a,
                    "url": f"{base}/autoledger/people/{a.lower().replace(' ', '-')}"}
                   for a in article.authors],
        "publisher": {"@type": "NewsMediaOrganization", "name": "AutoLedger",
                      "logo": {"@type": "ImageObject", "url": f"{base}/autoledger/logo.png"}},
        "image": [f"{base}/autoledger/img/{article.slug}-16x9.jpg"],
        "articleSection": article.section,
        "keywords": list(article.tags),
        "isAccessibleForFree": True,
        "inLanguage": "en-US",
    }
    byline = " and ".join(
        f'<a class="Byline_author__k2Hq" href="{base}/autoledger/people/'
        f'{a.lower().replace(" ", "-")}">{_e(a)}</a>' for a in article.authors)
    newsletter = ('<aside class="InlineNewsletter_box__Zp2" data-component="newsletter-signup">'
                  '<h3>The Morning Ledger</h3><p>Sign up for the Morning Ledger newsletter and '
                  'get the day’s auto business news in your inbox.</p><form><input type="email" '
                  'placeholder="Email address"><button>Sign up</button></form></aside>')
    read_more = (f'<div class="RelatedLink_wrap__t8"><span>Read more:</span> <a href="{base}'
                 f'{related[0].path}">{_e(related[0].title)}</a></div>') if related else ""
    when = article.published.strftime("%b. %-d, %Y %-I:%M %p ET")
    more = "".join(
        f'<li class="Card_card__3s"><a href="{base}{a.path}"><h3 class="Card_title__p">'
        f'{_e(a.title)}</h3></a><time datetime="{a.published.isoformat()}">'
        f'{a.published:%b. %-d}</time></li>' for a in related)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>{_e(article.title)} | AutoLedger</title>
<meta name="description" content="{_e(article.description)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(article.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="AutoLedger">
<meta property="og:image" content="{base}/autoledger/img/{article.slug}-16x9.jpg">
<meta name="parsely-title" content="{_e(article.title)}">
<link rel="canonical" href="{url}">
<link rel="preload" href="{base}/autoledger/_next/static/css/8c1e3a.css" as="style">
<script type="application/ld+json">{json.dumps(data)}</script>
</head>
<body>
<div id="__next">
<div class="ConsentBanner_banner__9h" role="dialog" aria-label="cookie consent"><p>We and our partners use cookies to personalise content and ads. <a href="{base}/autoledger/privacy">Manage choices</a></p><button>Accept all</button></div>
<header class="SiteHeader_header__x7"><a class="SiteHeader_logo__q" href="{base}/autoledger/">AutoLedger</a>
<nav class="SiteHeader_nav__m2"><a href="{base}/autoledger/section/industry">Industry</a><a href="{base}/autoledger/section/technology">Technology</a><a href="{base}/autoledger/section/policy">Policy</a><a href="{base}/autoledger/section/markets">Markets</a><a href="{base}/autoledger/section/reviews">Reviews</a></nav>
<a class="SiteHeader_subscribe__k" href="{base}/autoledger/subscribe">Subscribe</a></header>
<main class="ArticlePage_main__3f">
<article class="ArticleLayout_article__x1">
<div class="ArticleHeader_header__h3">
<a class="Eyebrow_eyebrow__u1" href="{base}/autoledger/section/{article.section_slug}">{_e(article.section)}</a>
<h1 class="ArticleHeader_headline__w9" data-testid="headline">{_e(article.title)}</h1>
<p class="ArticleHeader_dek__r4">{_e(article.description)}</p>
<div class="Byline_byline__a9"><span class="Byline_by__c">By</span> {byline}<span class="Byline_sep__z"> | </span><time datetime="{article.published.isoformat()}">{when}</time></div>
<div class="ShareBar_bar__e3" aria-label="Share"><button>Share</button><a href="https://www.linkedin.com/shareArticle?url={url}">LinkedIn</a><a href="https://x.com/intent/post?url={url}">X</a><a href="mailto:?subject={_e(article.title)}">Email</a></div>
</div>
<figure class="LeadImage_figure__b"><img src="{base}/autoledger/img/{article.slug}-16x9.jpg" alt=""><figcaption class="LeadImage_caption__v">Photo: AutoLedger staff</figcaption></figure>
<div class="ArticleBody_body__q2" data-testid="article-body">
{_body_html(article, [newsletter, read_more], every=3)}
</div>
<div class="ArticleFooter_corrections__p">Have a tip or a correction? Write to newsroom@autoledger.example.</div>
</article>
<section class="MoreFromLedger_section__y1"><h2>More from AutoLedger</h2><ul>{more}</ul></section>
</main>
<footer class="SiteFooter_footer__d4"><p>© 2026 AutoLedger Media. All rights reserved.</p><a href="{base}/autoledger/terms">Terms</a> <a href="{base}/autoledger/privacy">Privacy</a></footer>
</div>
<script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"slug":"{article.slug}"}}}},"page":"/[section]/[slug]","buildId":"al-2026-11"}}</script>
</body>
</html>
"""


# ---------------------------------------------------------------- gearbox (Drupal 10)


def gearbox_article(base: str, article: DemoArticle, related: Sequence[DemoArticle]) -> str:
    url = f"{base}{article.path}"
    author = article.authors[0] if article.authors else None
    submitted_by = (f'<span class="field field--name-uid field--type-entity-reference '
                    f'field--label-hidden"><span>{_e(author)}</span></span>'
                    if author else '<span class="field field--name-uid">'
                    '<span>Anonymous (not verified)</span></span>')
    created = article.published.strftime("%a, %m/%d/%Y - %H:%M")
    tags = "".join(f'<div class="field__item"><a href="{base}/gearbox/taxonomy/term/'
                   f'{zlib.crc32(t.encode()) % 997}" hreflang="en">{_e(t)}</a></div>' for t in article.tags)
    popular = "".join(f'<li><a href="{base}{a.path}">{_e(a.title)}</a></li>' for a in related)
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
<meta name="MobileOptimized" content="width">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="canonical" href="{url}">
<link rel="shortlink" href="{base}/gearbox/node/{article.nid}">
<meta property="og:site_name" content="Gearbox">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(article.title)}">
<meta name="description" content="{_e(article.description)}">
<title>{_e(article.title)} | Gearbox</title>
<link rel="stylesheet" media="all" href="{base}/gearbox/sites/default/files/css/css_Wq1.css">
<script type="application/json" data-drupal-selector="drupal-settings-json">{{"path":{{"baseUrl":"/gearbox/","currentPath":"node/{article.nid}"}}}}</script>
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<div class="layout-container">
<header role="banner"><div class="region region-header">
<div id="block-gearbox-branding" class="block block-system block-system-branding-block"><a href="{base}/gearbox/" rel="home" class="site-logo">Gearbox</a><div class="site-slogan">For people who love machines</div></div>
</div>
<div class="region region-primary-menu"><nav role="navigation" id="block-gearbox-main-menu" class="block block-menu navigation menu--main"><ul class="menu"><li class="menu-item"><a href="{base}/gearbox/news">News</a></li><li class="menu-item"><a href="{base}/gearbox/reviews">Reviews</a></li><li class="menu-item"><a href="{base}/gearbox/motorsport">Motorsport</a></li><li class="menu-item"><a href="{base}/gearbox/classics">Classics</a></li></ul></nav></div>
</header>
<div class="region region-breadcrumb"><nav class="breadcrumb" role="navigation" aria-labelledby="system-breadcrumb"><h2 id="system-breadcrumb" class="visually-hidden">Breadcrumb</h2><ol><li><a href="{base}/gearbox/">Home</a></li><li><a href="{base}/gearbox/news">News</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
<div data-drupal-messages-fallback class="hidden"></div>
<div id="block-gearbox-page-title" class="block block-core block-page-title-block"><h1 class="page-title"><span class="field field--name-title field--type-string field--label-hidden">{_e(article.title)}</span></h1></div>
<div id="block-gearbox-content" class="block block-system block-system-main-block">
<article role="article" about="{article.path}" class="node node--type-article node--promoted node--view-mode-full">
<footer class="node__meta"><div class="node__submitted">Submitted by {submitted_by} on <span class="field field--name-created field--type-created field--label-hidden">{created}</span></div></footer>
<div class="node__content">
<div class="field field--name-field-image field--type-image field--label-hidden field__item"><img loading="lazy" src="{base}/gearbox/sites/default/files/2026-11/{article.slug}.jpg" width="1200" height="800" alt="{_e(article.title)}"></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">
{_body_html(article)}
</div>
<div class="field field--name-field-tags field--type-entity-reference field--label-above"><div class="field__label">Tags</div><div class="field__items">{tags}</div></div>
<ul class="links inline"><li class="comment-forbidden"><a href="{base}/gearbox/user/login">Log in</a> to post comments</li></ul>
<section class="field field--name-comment field--type-comment field--label-above comment-wrapper">
<h2 class="title comment-form__title">Add new comment</h2>
<form class="comment-comment-form comment-form" data-drupal-selector="comment-form" action="{base}/gearbox/comment/reply/node/{article.nid}/comment" method="post"><div class="js-form-item form-item"><label for="edit-name">Your name</label><input type="text" id="edit-name" name="name" size="30"></div><div class="js-form-item form-item"><label for="edit-comment-body">Comment</label><textarea id="edit-comment-body" name="comment_body"></textarea></div><div class="form-actions"><input type="submit" value="Save"></div></form>
</section>
</div>
</article>
</div></div></div>
<aside class="layout-sidebar-second" role="complementary"><div class="region region-sidebar-second"><div class="views-element-container block block-views" id="block-views-block-content-recent"><h2>Popular content</h2><div><ul>{popular}</ul></div></div></div></aside>
</main>
<footer role="contentinfo"><div class="region region-footer"><div id="block-gearbox-powered" class="block block-system block-system-powered-by-block"><span>Powered by <a href="https://www.drupal.org">Drupal</a></span></div><p>© 2026 Gearbox Magazin</p></div></footer>
</div></div>
<script src="{base}/gearbox/core/misc/drupal.js?v=10.3.6"></script>
</body>
</html>
"""


def gearbox_article_client_rendered(base: str, article: DemoArticle) -> str:
    """The 'broken template' fault: the site moved to client-side rendering and ships only
    a shell and a JSON blob; no article text is in the HTML."""
    payload = json.dumps({"title": article.title, "nid": article.nid})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(article.title)} | Gearbox</title>
<link rel="canonical" href="{base}{article.path}"></head>
<body><div id="root"><div class="app-shell"><div class="spinner">Loading…</div></div></div>
<script>window.__STATE__ = {payload};</script>
<script src="{base}/gearbox/app/bundle.4f2a.js"></script></body></html>
"""


ARTICLE_TEMPLATES = {
    "motorwire": motorwire_article,
    "autoledger": autoledger_article,
    "gearbox": gearbox_article,
}


# ---------------------------------------------------------------- listings and no-article pages


def listing_page(
    base: str,
    source: str,
    heading: str,
    items: Sequence[DemoArticle],
    next_url: str | None,
    prev_url: str | None = None,
) -> str:
    """A category / date archive / section page: teasers with their dates, a pager."""
    site = SITE_NAMES[source]
    teasers = "".join(
        f'<article class="post type-post teaser"><h2 class="entry-title"><a href="{base}{a.path}">'
        f'{_e(a.title)}</a></h2><div class="entry-meta"><time class="entry-date published" '
        f'datetime="{a.published.isoformat()}">{_long_date(a.published)}</time></div>'
        f'<div class="entry-summary"><p>{_e(a.description)}</p></div></article>'
        for a in items
    )
    links = ""
    pager = '<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">'
    if prev_url:
        links += f'<link rel="prev" href="{prev_url}">'
        pager += f'<a class="prev page-numbers" href="{prev_url}">« Newer</a>'
    if next_url:
        links += f'<link rel="next" href="{next_url}">'
        pager += f'<a class="next page-numbers" rel="next" href="{next_url}">Older »</a>'
    pager += "</div></nav>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(heading)} | {site}</title>
<meta property="og:type" content="website"><meta property="og:site_name" content="{site}">
{links}</head>
<body class="archive"><header class="site-header"><a href="{base}/{source}/">{site}</a></header>
<main class="site-main"><h1 class="page-title">{_e(heading)}</h1>
{teasers or '<p class="no-results">Nothing was published here.</p>'}
{pager}</main>
<footer class="site-footer">© 2026 {site}</footer></body></html>
"""


def gallery_page(base: str, title: str) -> str:
    images = "".join(
        f'<figure class="gallery-item"><img src="{base}/motorwire/wp-content/uploads/2026/11/'
        f'show-{i:02d}.jpg" alt=""><figcaption>Stand {i} at the evening preview.</figcaption>'
        f'</figure>' for i in range(1, 15))
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="UTF-8"><title>{_e(title)} - Motor Wire</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Motor Wire">
<meta property="article:published_time" content="2026-11-13T12:00:00+00:00">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"ImageGallery","name":"{_e(title)}"}}</script>
</head><body class="single single-gallery"><main id="main" class="site-main">
<article class="post type-gallery"><h1 class="entry-title">{_e(title)}</h1>
<div class="entry-content"><p>The best of the evening in pictures.</p>
<div class="gallery galleryid-77">{images}</div></div></article></main></body></html>
"""


def video_page(base: str, title: str) -> str:
    video = {"@context": "https://schema.org", "@type": "VideoObject", "name": title,
             "uploadDate": "2026-11-13T12:00:00-05:00",
             "contentUrl": f"{base}/autoledger/media/pickup-first-look.mp4",
             "thumbnailUrl": f"{base}/autoledger/img/pickup-first-look.jpg"}
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>{_e(title)} | AutoLedger</title>
<meta property="og:type" content="video.other"><meta property="og:site_name" content="AutoLedger">
<script type="application/ld+json">{json.dumps(video)}</script></head>
<body><div id="__next"><main><article class="VideoPage_article__r"><h1>{_e(title)}</h1>
<div class="VideoPlayer_player__z" data-video-id="al-88213"><video controls src="{base}/autoledger/media/pickup-first-look.mp4"></video></div>
<p class="VideoPage_teaser__n">Our reporters take a first walk around the new pickup. The full review follows next month.</p>
</article></main></div></body></html>
"""


def slow_page(base: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>Analysis coming soon | AutoLedger</title>
<meta property="og:site_name" content="AutoLedger"></head>
<body><main><article><h1>Analysis coming soon</h1>
<div data-testid="article-body"><p>This analysis is still being edited. Check back later.</p></div>
</article></main><footer><a href="{base}/autoledger/">AutoLedger</a></footer></body></html>
"""


def not_found_page(base: str, source: str) -> str:
    site = SITE_NAMES.get(source, "Demo")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found | {site}</title></head>
<body><h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this
location. <a href="{base}/{source}/">Back to the home page</a></p></body></html>
"""


def server_error_page() -> str:
    return """<!DOCTYPE html>
<html><head><title>Error</title></head><body><h1>The website encountered an unexpected
error. Please try again later.</h1></body></html>
"""
