"""How Airflow retries autonews tasks, decided by the error itself (`retryable` on every
`AutonewsError`): bad input, a gate's verdict or a dead site fail at once, so the alert goes
out within a minute; a site whose lock another crawl holds waits without holding a worker
slot; anything else gets the task's retries. Imports Airflow: only the DAG files use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import RetryDecision, RetryPolicy
from airflow.sdk.exceptions import AirflowRescheduleException

from autonews.core.errors import AutonewsError, SiteBusy

# A crawl waits this long in its worker for the site's lock, then gives its pool slot back
# and asks again after LOCK_RECHECK, for at most LOCK_GIVE_UP in all.
LOCK_WAIT_SECONDS = 5.0
LOCK_RECHECK = timedelta(seconds=20)
LOCK_GIVE_UP = timedelta(hours=1)


class AutonewsRetryPolicy(RetryPolicy):
    """Fail at once what a retry cannot fix; leave the rest to the task's retries."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int,
                 context: Any = None) -> RetryDecision:
        if isinstance(exception, AutonewsError) and not exception.retryable:
            return RetryDecision.fail(f"{type(exception).__name__} is not retryable: "
                                      "a retry cannot fix it")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        return {"__type": f"{type(self).__module__}.{type(self).__qualname__}"}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> AutonewsRetryPolicy:
        return cls()


RETRY_POLICY = AutonewsRetryPolicy()


def wait_for_lock(context: Any, busy: SiteBusy) -> BaseException:
    """What a crawl raises when its site is busy: a reschedule (the task leaves its worker
    and its pool slot, and runs again after LOCK_RECHECK), or, once it has waited
    LOCK_GIVE_UP, the `SiteBusy` itself (then the task's retries apply)."""
    ti = context["ti"]
    now = datetime.now(UTC)
    first = ti.get_first_reschedule_date(context) or ti.start_date or now
    if now - first >= LOCK_GIVE_UP:
        return busy
    return AirflowRescheduleException(now + LOCK_RECHECK)
