# One image for every autonews service (Airflow components, workers, the demo site).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    AIRFLOW_HOME=/opt/airflow \
    AUTONEWS_HOME=/opt/autonews-data

RUN useradd --create-home --uid 50000 airflow \
    && mkdir -p /opt/airflow /opt/autonews-data \
    && chown -R airflow /opt/airflow /opt/autonews-data

WORKDIR /opt/autonews
COPY requirements/ requirements/
RUN pip install --no-cache-dir uv==0.13.9 \
    && uv pip install --system --no-cache -r requirements/all.lock
COPY . .
RUN uv pip install --system --no-cache --no-deps -e .

USER airflow
