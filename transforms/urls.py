"""URL identity: canonical form (tracking parameters and fragments gone) and its hash."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize
from w3lib.url import safe_url_string

from transforms.text import strip_control

# Query parameters that only track the visitor; the same article is behind them all.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|"
    r"_hsenc|_hsmi|mkt_tok|ref|ref_src|cmpid|icid|ocid|sr_share|share|smid|taid|"
    r"at_medium|at_campaign|ito|s_cid|soc_src|soc_trk|spm|__twitter_impression|amp)$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str:
    """Canonical form of `url`: lower-case host, sorted query without tracking
    parameters, no fragment, percent-encoding normalised (w3lib)."""
    url = safe_url_string(url.strip())
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                          urlencode(query), ""))
    return _w3lib_canonicalize(cleaned, keep_fragments=False)


def join_url(base: str, ref: str) -> str | None:
    """`ref` resolved against `base`; None when either is not a valid URL (`http://[x`)."""
    try:
        joined = urljoin(base, strip_control(ref).strip())
        urlsplit(joined).port  # noqa: B018 - raises for a port out of range
    except ValueError:
        return None
    return joined or None


def canonical_or_none(url: str) -> str | None:
    """`canonicalize_url(url)`, or None for a URL it cannot parse."""
    try:
        return canonicalize_url(url)
    except ValueError:
        return None


def url_hash(url: str) -> str:
    """Stable key of an article: sha256 of its canonical URL, hex."""
    return hashlib.sha256(canonicalize_url(url).encode()).hexdigest()


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None


def trusted_canonical(canonical: str, page_url: str, domains: tuple[str, ...] = ()) -> bool:
    """Whether a page may name `canonical` as its identity: a URL on the source's own
    `domains`, or (none given) on the page's host or a parent or sub-domain of it; and on
    the page's port when either names one of its own (one host, two sites on two ports). A
    page naming another site's URL as canonical would otherwise take that site's article."""
    target = urlsplit(canonical)
    host = (target.hostname or "").lower()
    if not host:
        return False
    page = urlsplit(page_url)
    if page.scheme not in ("http", "https"):
        return not domains or any(_within(host, d.lower()) for d in domains)
    defaults = (80, 443)
    ports = (_port(target), _port(page))
    if ports[0] != ports[1] and not (ports[0] in defaults and ports[1] in defaults):
        return False
    if domains:
        return any(_within(host, d.lower()) for d in domains)
    page_host = (page.hostname or "").lower()
    return _within(host, page_host) or _within(page_host, host)
