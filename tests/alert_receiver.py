"""A real webhook on 127.0.0.1 for the alert tests: records every POST (headers and JSON
body) and answers with the status the test sets (503 to play a webhook that is down)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class AlertReceiver:
    """`with AlertReceiver() as hook:` then `hook.url`, `hook.received`, `hook.status`."""

    def __init__(self, path: str = "/alerts") -> None:
        self.path = path
        self.status = 204
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append({
                        "path": self.path, "at": time.time(),
                        "authorization": self.headers.get("Authorization"),
                        "body": json.loads(body or b"null")})
                    status = receiver.status
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def connection_uri(self, token: str) -> str:
        """The connection as `AIRFLOW_CONN_AUTONEWS_ALERTS` gives it, in URI form."""
        return f"http://:{token}@127.0.0.1:{self.port}{self.path}"

    def connection_json(self, token: str) -> str:
        """The same connection in Airflow's JSON form."""
        return json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": self.port,
                           "schema": self.path.lstrip("/"), "password": token})

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r["body"] for r in self.received]

    def __enter__(self) -> AlertReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
