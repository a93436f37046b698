-- Every failure alert the Airflow DAGs tried to post, and whether it arrived: a webhook
-- that is down must not make failures silent (a run's report lists what was not sent).
CREATE TABLE alerts (
    alert_id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         text        NOT NULL,
    dag_id         text        NOT NULL,
    task_id        text        NOT NULL,
    map_index      integer     NOT NULL DEFAULT -1,
    source_id      text,
    try_number     integer,
    day            date,
    error          text,
    payload        jsonb       NOT NULL,
    attempted_at   timestamptz NOT NULL DEFAULT now(),
    delivered      boolean     NOT NULL,
    delivery_error text
);
CREATE INDEX alerts_run_idx ON alerts (run_id);
