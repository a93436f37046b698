"""The pipeline's vocabulary: the window, the names of stages and outcomes, the errors, the
settings, the stage results and the crawl schema. Every other package imports this one and
nothing here imports them."""

from autonews.core.errors import (
    ArchiveUnavailable,
    AutonewsError,
    BadInput,
    ConfigError,
    GateFailed,
    MigrationError,
    SiteBusy,
    SiteDown,
    StageFailed,
    StageInputMissing,
    WarehouseError,
    WarehouseUnavailable,
)
from autonews.core.results import (
    ArchiveImportResult,
    Check,
    CleanResult,
    CrawlResult,
    EnrichResult,
    GateResult,
    LoadResult,
    RecleanResult,
    SourceSummary,
)
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import (
    FAILED_OUTCOMES,
    STAGES,
    ArchiveKind,
    FetchKind,
    FileStatus,
    Outcome,
    PageKind,
    RejectReason,
    Stage,
    Status,
    Trigger,
)
from autonews.core.window import Window, parse_day

__all__ = [
    "FAILED_OUTCOMES",
    "STAGES",
    "ArchiveImportResult",
    "ArchiveUnavailable",
    "ArchiveKind",
    "AutonewsError",
    "BadInput",
    "Check",
    "CleanResult",
    "ConfigError",
    "CrawlResult",
    "EnrichResult",
    "FetchKind",
    "FileStatus",
    "GateFailed",
    "GateResult",
    "LoadResult",
    "MigrationError",
    "Outcome",
    "PageKind",
    "RecleanResult",
    "RejectReason",
    "Settings",
    "SiteBusy",
    "SiteDown",
    "Source",
    "SourceSummary",
    "Stage",
    "StageFailed",
    "StageInputMissing",
    "Status",
    "Trigger",
    "WarehouseError",
    "WarehouseUnavailable",
    "Window",
    "mask_secrets",
    "parse_day",
]
