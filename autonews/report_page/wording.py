"""Plain words for the daily report: what a failed stage, a fetch outcome, a reject reason or
a quality-gate check means to a person, and what to look at next."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from autonews.core.vocabulary import Outcome, RejectReason

# What a fetch outcome (raw_pages.outcome) means, said to a person.
OUTCOMES: dict[str, str] = {
    Outcome.HTTP_4XX: "not found or forbidden (HTTP 4xx)",
    Outcome.HTTP_5XX: "server error on the site (HTTP 5xx)",
    Outcome.TIMEOUT: "no answer in time",
    Outcome.CONNECTION_ERROR: "connection refused or dropped",
    Outcome.DNS_ERROR: "the site's name does not resolve (DNS)",
    Outcome.TOO_LARGE: "too large to download",
    Outcome.NOT_HTML: "not a web page (a PDF, an image...)",
    Outcome.OFFSITE_REDIRECT: "redirected to another site",
    Outcome.OFFSITE: "on another site",
    Outcome.PRIVATE_ADDRESS: "points to a private network address (refused for safety)",
    Outcome.REDIRECT_LOOP: "endless redirects",
    Outcome.DATA_LOSS: "download cut off before the end",
    Outcome.BAD_DOCUMENT: "a sitemap or feed that does not parse",
    Outcome.ERROR: "another error",
    Outcome.ROBOTS: "forbidden by the site's robots.txt (skipped on purpose)",
    Outcome.OVER_CAP: "over the per-run page cap (left for the next run)",
    Outcome.OVER_BUDGET: "not fetched: the crawl's time budget ran out (left for the next run)",
}

# Why the cleaner rejected a page (rejected_pages.reason).
REJECTS: dict[str, str] = {
    RejectReason.NOT_HTML: "not a web page",
    RejectReason.EMPTY: "no article text on the page",
    RejectReason.TOO_SHORT: "too short to be an article",
    RejectReason.GALLERY: "a photo gallery, not an article",
    RejectReason.VIDEO: "a video page, not an article",
    RejectReason.INDEX: "a list of articles, not an article",
    RejectReason.UNPARSABLE: "a page the cleaner could not read",
    RejectReason.TIMEOUT: "the cleaner ran out of time on it (a pathological page?)",
    RejectReason.CRASHED: "the cleaner's process died on it (out of memory?)",
}

# When no sitemap, feed or listing page could be fetched: the headline for the outcome
# that stopped most of them.
_DISCOVERY_DOWN: dict[str, str] = {
    Outcome.CONNECTION_ERROR: "The site refused every connection: is it down?",
    Outcome.DNS_ERROR: "The site's name does not resolve: has its domain changed, or is DNS "
                       "down?",
    Outcome.TIMEOUT: "The site did not answer in time: is it down or overloaded?",
    Outcome.HTTP_5XX: "The site answered every sitemap and feed with a server error: it is "
                      "broken on their side.",
    Outcome.HTTP_4XX: "Every sitemap and feed answered 'not found' or 'forbidden': have they "
                      "moved, or are we blocked?",
    Outcome.ROBOTS: "The site's robots.txt now forbids its sitemaps and feeds to us.",
    Outcome.PRIVATE_ADDRESS: "The site's address now points to a private network: refused for "
                             "safety.",
    Outcome.BAD_DOCUMENT: "The site's sitemaps and feeds no longer parse: has their format "
                          "changed?",
}

_GATE_CHECKS: dict[str, str] = {
    "zero_articles": "no articles today, while it usually has some",
    "reject_rate": "too many pages held no article",
    "empty_share": "too many pages came out empty or too short: the article template has "
                   "probably changed",
    "undated_share": "too many articles had no date of their own",
}

_TWISTED = re.compile(r"\[<twisted\.python\.failure\.Failure [\w.]*?(\w+): (.*?)>\]")
_HTTP_TWICE = re.compile(r"^HTTP (\d+): (?=HTTP \1\b)")
_REASONS = re.compile(r"\(([a-z_0-9]+=\d+(?:, [a-z_0-9]+=\d+)*)\)")


@dataclass(frozen=True)
class Explanation:
    """A problem in plain words: a headline and what to do about it."""

    headline: str
    advice: str


def explain_enrich(day: date, status: str, loaded_after: Sequence[str]) -> Explanation | None:
    """What is wrong with the enrich stage of `day`, or None when nothing is."""
    rerun = (f"Clear the run's enrich task in Airflow, or run: autonews enrich --from {day} "
             f"--to {day}. It skips what it already did.")
    if status == "failed":
        return Explanation("The enrich stage failed: the entities, topics and stories below "
                           "may be missing or out of date.", rerun)
    if status == "running":
        return Explanation("The enrich stage did not finish (still running, or stopped): the "
                           "entities, topics and stories below may be incomplete.", rerun)
    if loaded_after:
        return Explanation(f"Articles of {', '.join(loaded_after)} loaded after the enrich "
                           "stage ran: their entities, topics and stories are missing below.",
                           rerun)
    return None


def outcome_words(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome.replace("_", " "))


def reject_words(reason: str) -> str:
    return REJECTS.get(reason, reason.replace("_", " "))


def tidy_detail(detail: str, limit: int = 200) -> str:
    """A fetch error as a person reads it: Twisted's failure wrappers removed, the HTTP
    status said once, cut at `limit` characters."""
    text = _HTTP_TWICE.sub("", _TWISTED.sub(r"\1: \2", detail.strip()))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def gate_reason(checks: Sequence[Mapping[str, Any]] | None, *, day: str = "today") -> str:
    """The gate's verdict in words: the failed checks with their figures, or what passed;
    `day` replaces the gate's "today" when the day told about is another."""
    if not checks:
        return "no checks recorded"
    failed = [c for c in checks if not c.get("passed")]
    if not failed:
        return "passed its check" if len(checks) == 1 else f"passed its {len(checks)} checks"
    parts = []
    for check in failed:
        name = str(check.get("check", "?"))
        words = _GATE_CHECKS.get(name, name.replace("_", " "))
        detail = str(check.get("detail") or "")
        if name in ("reject_rate", "empty_share", "undated_share"):
            value, limit = float(check.get("value", 0)), float(check.get("limit", 0))
            detail = f"{detail}: {value:.0%}, the limit is {limit:.0%}"
        parts.append(f"{words} ({detail})" if detail else words)
    said = "; ".join(parts)
    return said if day == "today" else said.replace("today", day)


def _dominant(outcomes: Mapping[str, Any]) -> str | None:
    failures = {k: int(v) for k, v in outcomes.items()
                if k not in (Outcome.FETCHED, Outcome.NOT_MODIFIED, Outcome.UNCHANGED)
                and int(v or 0) > 0}
    return max(sorted(failures), key=failures.__getitem__) if failures else None


def _discovery_outcomes(counts: Mapping[str, Any], error: str) -> dict[str, Any]:
    outcomes = counts.get("discovery_outcomes")
    if isinstance(outcomes, dict) and outcomes:
        return outcomes
    match = _REASONS.search(error)  # older rows: the counts are only in the message
    if not match:
        return {}
    return {k: int(v) for k, v in (p.split("=") for p in match.group(1).split(", "))}


def explain_failure(stage: str | None, status: str, error: str | None,
                    counts: Mapping[str, Any] | None = None,
                    gate_checks: Sequence[Mapping[str, Any]] | None = None) -> Explanation:
    """What went wrong with a source's run, for a person: `stage` is the stage that failed
    (or the one still running), `status` the run's status."""
    text = error or ""
    counts = counts or {}
    lowered = text.lower()
    if status == "missing":
        return Explanation("No run was recorded for this source on this day.",
                           "Check that the source is still enabled and that the day's run "
                           "reached it (the DAG's plan task lists the sources).")
    if status == "running":
        return Explanation(f"The run did not finish: its {stage or 'last'} stage is still "
                           "marked as running.",
                           "It is still going, or its worker was killed: look at the task in "
                           "Airflow and clear it to run it again.")
    if status == "unstarted":
        return Explanation(f"The run stopped before its {stage or 'next'} stage started.",
                           "Its task may not have been scheduled yet, or was cleared: look at "
                           "the run in Airflow.")
    if status == "skipped":
        return Explanation("Every stage of this source's run was skipped.",
                           "The error of the first stage says why.")
    if "warehouse" in lowered or "operationalerror" in lowered or "psycopg" in lowered:
        return Explanation(f"The warehouse could not be used during the {stage} stage.",
                           "Check that the database is up and not out of space, then rerun.")
    if stage == "crawl":
        if "no sitemap, feed or listing page could be fetched" in lowered:
            dominant = _dominant(_discovery_outcomes(counts, text))
            headline = _DISCOVERY_DOWN.get(
                dominant or "", "No sitemap, feed or listing page of the site could be fetched.")
            return Explanation(headline, "Open the site's home page in a browser; if it works "
                               "for you, look at the crawl log and the URLs below.")
        if "timeout" in lowered and "exceeded" in lowered:
            return Explanation("The crawl ran past its time limit and was stopped.",
                               "The site may be very slow today; look at the crawl log, then "
                               "rerun or raise the timeout.")
        if "exited with code" in lowered:
            return Explanation("The crawler stopped with an error before it finished.",
                               "This is a problem on our side: the crawl log says why.")
        return Explanation("The crawl failed.", "Look at the error and the crawl log below.")
    if stage == "clean":
        return Explanation("The cleaner failed on this source's pages.",
                           "This is a problem on our side: the error below says where.")
    if stage == "gate":
        return Explanation("The quality gate held this day back: "
                           + gate_reason(gate_checks) + ".",
                           "Nothing of this day was loaded. Look at a few pages of the site: "
                           "if its layout changed, fix the source's rules (or the threshold "
                           "in config/quality.toml) and rerun the source.")
    if stage == "load":
        return Explanation("Loading the articles into the warehouse failed; the articles table "
                           "did not change for this source.",
                           "The staged articles wait for a retry: rerun the load.")
    return Explanation(f"The {stage or 'run'} failed.", "Look at the error below.")
