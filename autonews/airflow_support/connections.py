"""The two Airflow connections autonews reads: `autonews_warehouse` (the DSN) and
`autonews_alerts` (the failure webhook), whichever of Airflow's forms defines them (a URI or
JSON in `AIRFLOW_CONN_<ID>`, or the UI's fields)."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from autonews.core.errors import ConfigError
from autonews.core.secrets import mask_secrets
from autonews.core.settings import DSN_ENV, Settings

log = logging.getLogger(__name__)

WAREHOUSE_CONN_ID = "autonews_warehouse"
ALERTS_CONN_ID = "autonews_alerts"
_WEB_SCHEMES = ("http", "https")


def get_connection(conn_id: str) -> Any | None:
    """The Airflow connection `conn_id`, or None when it is not defined (or Airflow is not
    installed); any other problem reading it raises."""
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        return None
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def warehouse_dsn(settings: Settings) -> str:
    """DSN of the Airflow connection `autonews_warehouse`, else `AUTONEWS_DSN`."""
    conn = get_connection(WAREHOUSE_CONN_ID)
    if conn is not None:
        uri: str = conn.get_uri()
        return uri.replace("postgres://", "postgresql://", 1)
    log.info("no Airflow connection %s; using %s", WAREHOUSE_CONN_ID, DSN_ENV)
    if not settings.dsn:
        raise ConfigError(f"no warehouse: define the Airflow connection {WAREHOUSE_CONN_ID} "
                          f"(e.g. AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}) or set {DSN_ENV}")
    return settings.dsn


@dataclass(frozen=True)
class WebhookTarget:
    """Where an alert is posted, and the headers that authenticate it."""

    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"WebhookTarget(url={mask_secrets(self.url)!r})"


def webhook_target(conn: Any) -> WebhookTarget:
    """The webhook an `autonews_alerts` connection describes, in any of Airflow's forms.

    - URI `http://:TOKEN@host:8080/alerts`: Airflow reads the scheme as the connection
      type and the path as its `schema`; both are put back where they belong;
    - fields (UI or JSON): `host` is a host name (`hooks.example.com`, optionally with a
      path) or a whole URL (`https://hooks.example.com/services/x`); `schema` is either
      the URL scheme (`http`/`https`, Airflow's HTTP connection convention) or the path;
      the scheme is otherwise the connection type when that is http or https, else https;
    - `port` is added to the host; scalar `extra` fields become query parameters (a URI's
      `?key=value`);
    - `password` alone is a bearer token; `login` and `password` are HTTP basic auth.

    Raises `ConfigError` naming the connection when it holds no usable URL."""
    host = (getattr(conn, "host", None) or "").strip()
    schema = (getattr(conn, "schema", None) or "").strip()
    conn_type = (getattr(conn, "conn_type", None) or "").strip().lower()
    if not host:
        raise ConfigError(f"Airflow connection {ALERTS_CONN_ID} has no host: give the "
                          "webhook URL, e.g. AIRFLOW_CONN_AUTONEWS_ALERTS="
                          "'https://:TOKEN@hooks.example.com/alerts'")
    if "://" in host:
        parts = urlsplit(host)
        scheme, netloc, path, query = parts.scheme.lower(), parts.netloc, parts.path, \
            parts.query
    else:
        if schema.lower() in _WEB_SCHEMES:
            scheme = schema.lower()
        else:
            scheme = conn_type if conn_type in _WEB_SCHEMES else "https"
        netloc, slash, rest = host.partition("/")
        path, query = slash + rest, ""
    if scheme not in _WEB_SCHEMES or not netloc:
        raise ConfigError(f"Airflow connection {ALERTS_CONN_ID}: '{scheme}://{netloc}' is "
                          "not an http(s) URL")
    port = getattr(conn, "port", None)
    if port and urlsplit(f"//{netloc}").port is None:
        netloc = f"{netloc}:{int(port)}"
    if schema and schema.lower() not in _WEB_SCHEMES:
        path = path.rstrip("/") + "/" + schema.lstrip("/")
    extra = getattr(conn, "extra_dejson", None) or {}
    params = {k: str(v) for k, v in extra.items() if isinstance(v, (str, int, float))}
    if params:
        query = "&".join(q for q in (query, urlencode(params)) if q)
    url = urlunsplit((scheme, netloc, path or "/", query, ""))
    return WebhookTarget(url, _auth_headers(getattr(conn, "login", None),
                                            getattr(conn, "password", None)))


def _auth_headers(login: str | None, password: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if login and password:
        pair = base64.b64encode(f"{login}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    elif password:
        headers["Authorization"] = f"Bearer {password}"
    return headers
