"""Faults the demo site can switch on while it runs (for the quality gate and reliability
tests): `FaultSet.set(["broken_template:gearbox"])` or `POST /_demo/faults`."""

from __future__ import annotations

import threading
from typing import Any

from autonews.demo.catalog import SOURCES

# fault kind -> whether it takes a source id (`kind:source`)
KINDS: dict[str, bool] = {
    "broken_template": True,  # a source's article pages lose their text (client rendering)
}


class FaultSet:
    """Thread-safe set of active faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: set[str] = set()

    @staticmethod
    def validate(name: str) -> str:
        kind, _, source = name.partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown fault '{kind}' (known: {', '.join(sorted(KINDS))})")
        if KINDS[kind] and source not in SOURCES:
            raise ValueError(f"fault '{kind}' needs a demo source: {kind}:<{'|'.join(SOURCES)}>")
        return name

    def set(self, names: Any) -> None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TypeError("faults must be a JSON list of names")
        checked = {self.validate(n) for n in names}
        with self._lock:
            self._active = checked

    def add(self, name: str) -> None:
        with self._lock:
            self._active.add(self.validate(name))

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    def names(self) -> set[str]:
        with self._lock:
            return set(self._active)

    def active(self, kind: str, source: str | None = None) -> bool:
        with self._lock:
            return kind in self._active or (source is not None
                                            and f"{kind}:{source}" in self._active)

    def route(self, base: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> Any:
        """A fault page's reply for `path`, or None (no fault pages yet)."""
        return None
