"""What happened to a URL the crawler touched: one word per outcome, recorded per fetch."""

from __future__ import annotations

from scrapy import exceptions as sx
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

FETCHED = "fetched"
NOT_MODIFIED = "not_modified"
UNCHANGED = "unchanged"  # not requested: the sitemap lastmod is older than our copy
ROBOTS = "robots_disallowed"
HTTP_4XX = "http_4xx"
HTTP_5XX = "http_5xx"
TIMEOUT = "timeout"
TOO_LARGE = "too_large"
NOT_HTML = "not_html"
OFFSITE_REDIRECT = "offsite_redirect"
OFFSITE = "offsite"
PRIVATE_ADDRESS = "private_address"
REDIRECT_LOOP = "redirect_loop"
DNS_ERROR = "dns_error"
CONNECTION_ERROR = "connection_error"
DATA_LOSS = "truncated"
OVER_CAP = "over_cap"
BAD_DOCUMENT = "bad_document"  # a sitemap or feed that does not parse
ERROR = "error"

FAILURES = frozenset({HTTP_4XX, HTTP_5XX, TIMEOUT, TOO_LARGE, NOT_HTML, OFFSITE_REDIRECT,
                      OFFSITE, PRIVATE_ADDRESS, REDIRECT_LOOP, DNS_ERROR, CONNECTION_ERROR,
                      DATA_LOSS, BAD_DOCUMENT, ERROR})


class Refused(sx.IgnoreRequest):
    """A request the crawler refuses on purpose, with the outcome to record."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def of_status(status: int) -> str:
    if status == 304:
        return NOT_MODIFIED
    if 400 <= status < 500:
        return HTTP_4XX
    if status >= 500:
        return HTTP_5XX
    return FETCHED


def of_failure(failure: Failure) -> tuple[str, str]:
    """(outcome, one-line reason) of a failed request."""
    exc = failure.value
    text = f"{type(exc).__name__}: {exc}".strip()[:500]
    if isinstance(exc, Refused):
        return exc.outcome, str(exc)
    if isinstance(exc, sx.IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return ROBOTS, message
        if "max redirections" in message.lower() or "redirect" in message.lower():
            return REDIRECT_LOOP, message
        if "DOWNLOAD_MAXSIZE" in message or "max size" in message:
            return TOO_LARGE, message
        return ERROR, message
    if isinstance(exc, (sx.DownloadTimeoutError, tx_error.TimeoutError)):
        return TIMEOUT, text
    if isinstance(exc, sx.DownloadCancelledError):
        return TOO_LARGE, text
    if isinstance(exc, (sx.CannotResolveHostError, tx_error.DNSLookupError)):
        return DNS_ERROR, text
    if isinstance(exc, sx.ResponseDataLossError):
        return DATA_LOSS, text
    if isinstance(exc, (sx.DownloadConnectionRefusedError, sx.DownloadFailedError,
                        tx_error.ConnectError, tx_error.ConnectionLost,
                        tx_error.ConnectionDone, ConnectionError)):
        return CONNECTION_ERROR, text
    return ERROR, text
