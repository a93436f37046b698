"""The pipeline's stages as plain functions (the CLI and the DAGs call these): crawl, clean,
gate, load, each recorded in `pipeline_runs`, reading only its window, safe to rerun."""

from autonews.jobs.clean import clean_source
from autonews.jobs.crawl import ProgressFn, crawl_source
from autonews.jobs.day import (
    new_run_id,
    prepare_warehouse,
    reclean_source,
    rules_changed,
    run_source,
    run_stages,
)
from autonews.jobs.enrich import enrich_window
from autonews.jobs.gate import gate_source
from autonews.jobs.load import load_source
from autonews.jobs.stage import skip_stage

__all__ = [
    "ProgressFn",
    "clean_source",
    "crawl_source",
    "enrich_window",
    "gate_source",
    "load_source",
    "new_run_id",
    "prepare_warehouse",
    "reclean_source",
    "rules_changed",
    "run_source",
    "run_stages",
    "skip_stage",
]
