"""Which `Outcome` a response or a failed request ends in (Scrapy's exceptions and statuses
mapped to the pipeline's vocabulary)."""

from __future__ import annotations

from scrapy import exceptions as sx
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from autonews.core.vocabulary import Outcome


class Refused(sx.IgnoreRequest):
    """A request the crawler refuses on purpose, with the outcome to record."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def of_status(status: int) -> Outcome:
    """The outcome of an HTTP status that reached the spider (redirects are followed)."""
    if status == 304:
        return Outcome.NOT_MODIFIED
    if 400 <= status < 500:
        return Outcome.HTTP_4XX
    if status >= 500:
        return Outcome.HTTP_5XX
    return Outcome.FETCHED


def of_failure(failure: Failure) -> tuple[Outcome, str]:
    """(outcome, one-line reason) of a failed request."""
    exc = failure.value
    text = f"{type(exc).__name__}: {exc}".strip()[:500]
    if isinstance(exc, Refused):
        return exc.outcome, str(exc)
    if isinstance(exc, sx.IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return Outcome.ROBOTS, message
        if "max redirections" in message.lower() or "redirect" in message.lower():
            return Outcome.REDIRECT_LOOP, message
        if "DOWNLOAD_MAXSIZE" in message or "max size" in message:
            return Outcome.TOO_LARGE, message
        return Outcome.ERROR, message
    if isinstance(exc, (sx.DownloadTimeoutError, tx_error.TimeoutError)):
        return Outcome.TIMEOUT, text
    if isinstance(exc, sx.DownloadCancelledError):
        return Outcome.TOO_LARGE, text
    if isinstance(exc, (sx.CannotResolveHostError, tx_error.DNSLookupError)):
        return Outcome.DNS_ERROR, text
    if isinstance(exc, sx.ResponseDataLossError):
        return Outcome.DATA_LOSS, text
    if isinstance(exc, (sx.DownloadConnectionRefusedError, sx.DownloadFailedError,
                        tx_error.ConnectError, tx_error.ConnectionLost,
                        tx_error.ConnectionDone, ConnectionError)):
        return Outcome.CONNECTION_ERROR, text
    return Outcome.ERROR, text
