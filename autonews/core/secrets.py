"""Secrets never shown: passwords and tokens in DSNs, URLs and messages masked as ***."""

from __future__ import annotations

import logging
import re

_PASSWORD_IN_URI = re.compile(r"(://[^:/@\s]*:)([^@\s]+)(@)")
_PASSWORD_KV = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)
_SECRET_QUERY = re.compile(r"([?&](?:password|passwd|token|secret|key|api_key|apikey|"
                           r"access_token|auth|sig|signature)=)([^&\s]+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """`text` with passwords in DSNs/URLs and secret query parameters replaced by ***."""
    text = _PASSWORD_IN_URI.sub(r"\1***\3", text)
    text = _PASSWORD_KV.sub(r"\1***", text)
    return _SECRET_QUERY.sub(r"\1***", text)


class MaskingFormatter(logging.Formatter):
    """Formats like `inner`, then masks secrets in the whole text (message, arguments and
    traceback alike): for logs that print URLs and DSNs."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(self.inner.format(record))
