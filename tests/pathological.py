"""An extraction hook that behaves like the worst pages do, for the pool's tests: on a page
holding `HANG` it never returns (as a regex or tree walk gone quadratic does), on a page
holding `CRASH` its process dies (as one the kernel kills for memory does)."""

from __future__ import annotations

import os
import signal
import time

from bs4 import Tag

from transforms.index import PageIndex
from transforms.layers import ExtractionHook

HANG = "pathological-page-that-hangs"
CRASH = "pathological-page-that-crashes"


class Pathological(ExtractionHook):
    """No change to any other page."""

    def select_root(self, page: PageIndex) -> Tag | None:
        text = page.markup or page.soup.get_text()
        if HANG in text:
            while True:
                time.sleep(1)
        if CRASH in text:
            os.kill(os.getpid(), signal.SIGKILL)
        return None
