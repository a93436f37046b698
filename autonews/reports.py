"""Run summaries from `pipeline_runs`: what ran, what failed and why, per source."""

from __future__ import annotations

import logging
from typing import Any

from autonews.jobs import STAGES, StageFailed, Window
from warehouse.connection import connect

log = logging.getLogger(__name__)

SUMMARY_SQL = """
SELECT source_id, stage, status, counts, error
  FROM pipeline_runs
 WHERE run_id = %s
 ORDER BY source_id, array_position(%s::text[], stage)
"""


def run_summary(dsn: str, run_id: str) -> list[dict[str, Any]]:
    """One dict per source: the stage statuses, the headline counts and the first error."""
    with connect(dsn) as conn:
        rows = conn.execute(SUMMARY_SQL, (run_id, list(STAGES))).fetchall()
    by_source: dict[str, dict[str, Any]] = {}
    for source_id, stage, status, counts, error in rows:
        entry = by_source.setdefault(source_id, {"source": source_id, "stages": {},
                                                 "error": None})
        entry["stages"][stage] = status
        counts = counts or {}
        if stage == "crawl":
            for key in ("in_window", "fetched", "not_modified", "failed"):
                entry[key if key != "in_window" else "discovered"] = counts.get(key, 0)
        elif stage == "clean":
            entry["rejected"] = counts.get("rejected", 0)
        elif stage == "load":
            for key in ("inserted", "updated", "unchanged"):
                entry[key] = counts.get(key, 0)
        if status == "failed" and entry["error"] is None:
            entry["error"] = f"{stage}: {error}"
    return list(by_source.values())


def report_run(dsn: str, run_id: str, window: Window) -> list[dict[str, Any]]:
    """Log the run's summary and raise `StageFailed` naming every source that failed."""
    summary = run_summary(dsn, run_id)
    for entry in summary:
        log.info("%s %s: %s", window, entry["source"], entry)
        print(f"{window} {entry['source']}: " + ", ".join(
            f"{k}={entry.get(k, 0)}" for k in ("discovered", "fetched", "not_modified", "failed",
                                               "inserted", "updated", "unchanged", "rejected"))
            + (f" | FAILED {entry['error']}" if entry["error"] else ""))
    failed = [e for e in summary if e["error"] or any(
        s in ("failed", "running") for s in e["stages"].values())]
    if not summary:
        raise StageFailed(f"run {run_id} recorded no stage at all")
    if failed:
        raise StageFailed("sources failed: " + "; ".join(
            f"{e['source']} ({e['error'] or 'incomplete'})" for e in failed))
    return summary
