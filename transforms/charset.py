"""Page bytes to text: BOM, HTTP charset, `<meta charset>`, UTF-8 check, windows-1252
fallback, a multi-byte charset (Shift_JIS...) recognised under a false Western label, and
what does not fit the character budget left out script first."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom, to_unicode

from transforms.article import PageRejected, RejectReason
from transforms.text import strip_control

# Pages beyond this many characters are cut: no article needs more, and it bounds the
# time one hostile page can take.
MAX_CHARS = 3_000_000
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
               "text/xml", "application/octet-stream")
# Unicode encodings other than UTF-8, whose declarations are never second-guessed.
_UNICODE = frozenset({"utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le",
                      "utf-32-be"})
# More NUL characters than this in the first KB of decoded text: not a text page.
_MAX_NULS = 64
# Script-like elements dropped first when a page is over MAX_CHARS: a `<head>` with 3 MB of
# script or JSON-LD must not push the article out. JSON-LD this small is kept (metadata).
_BULKY = re.compile(r"<(script|style|template)\b", re.IGNORECASE)
_KEEP_JSON_LD = 200_000
# w3lib maps ISO-8859-1 and ASCII labels to windows-1252, as browsers do.
_WESTERN = frozenset({"cp1252"})
# Multi-byte encodings whose text, falsely labelled windows-1252 or UTF-8, turns to
# mojibake; recognised by charset-normalizer, used only when the bytes decode cleanly.
_MULTIBYTE = frozenset({"shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb18030", "gbk",
                        "gb2312", "big5", "big5hkscs", "euc_kr", "cp949", "johab"})
# Undecodable characters (U+FFFD) beyond this share of a page: unreadable, not stored.
MAX_UNREADABLE = 0.05


def is_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 (a multi-byte character cut off at the very end allowed)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
    return True


def _guess(data: bytes) -> str:
    return "utf-8" if is_utf8(data) else "cp1252"


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(encoding, text) of page bytes; undecodable bytes become U+FFFD.

    BOM, then the HTTP charset, then `<meta charset>`, then UTF-8 if the bytes are UTF-8,
    else windows-1252 (w3lib, which reads ISO-8859-1 and ASCII labels as windows-1252, as
    browsers do). Declarations are checked where a wrong one is common and detectable:
    - a legacy charset (ISO-8859-1, windows-125x, GBK, Shift_JIS...) declared for bytes
      that are valid UTF-8 with non-ASCII characters: UTF-8 (servers label pages
      ISO-8859-1 by default, and pages converted to UTF-8 keep their old `<meta>`, far more
      often than legacy-encoded text happens to be valid UTF-8);
    - UTF-8 declared for bytes that mostly are not: the page's `<meta>` charset if it names
      another one, else windows-1252 (a stray bad byte in real UTF-8 stays U+FFFD).
    """
    encoding, text = html_to_unicode(content_type, data, auto_detect_fun=_guess)
    if data.isascii():
        return encoding, text
    codec = _codec_name(encoding)
    if codec != "utf-8" and codec not in _UNICODE and is_utf8(data):
        return "utf-8", data.decode("utf-8", "replace")
    if codec == "utf-8" and read_bom(data)[0] is None and _mostly_not_utf8(data, text):
        declared = html_body_declared_encoding(data)
        fallback = declared if declared and _codec_name(declared) not in (None, "utf-8") \
            else "cp1252"
        encoding, text, codec = fallback, to_unicode(data, fallback), _codec_name(fallback)
    if codec in _WESTERN and not _decodes(data, "cp1252"):
        # bytes windows-1252 leaves undefined: likely a multi-byte page under a false label
        found = _multibyte(data)
        if found is not None:
            return found, data.decode(found, "replace")
    return encoding, text


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.reason.startswith("incomplete") or exc.start >= len(data) - 3
    return True


def _multibyte(data: bytes) -> str | None:
    """The multi-byte charset the bytes are written in, when charset-normalizer names one
    of `_MULTIBYTE` and the bytes decode with it cleanly; else None."""
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    best = from_bytes(sample).best()
    if best is None:
        return None
    name = _codec_name(best.encoding)
    if name not in _MULTIBYTE or not _decodes(sample, name):
        return None
    return name


def _mostly_not_utf8(data: bytes, decoded: str) -> bool:
    """More invalid sequences (each became U+FFFD) than valid multi-byte characters (each
    made the text shorter than the bytes)."""
    return decoded.count("\ufffd") > len(data) - len(decoded)


def _codec_name(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def decode_page(data: str | bytes, content_type: str | None = None) -> str:
    """Unicode text of a page without control characters, at most `MAX_CHARS` long.
    Raises `PageRejected(NOT_HTML)` for non-HTML content types and binary content."""
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime and not mime.startswith(_HTML_TYPES):
            raise PageRejected(RejectReason.NOT_HTML, f"content type {mime}")
    if isinstance(data, bytes):
        if data[:1024].lstrip().startswith(_BINARY_MAGIC):
            raise PageRejected(RejectReason.NOT_HTML, "binary content")
        encoding, text = decode_bytes(data[: MAX_CHARS * 4], content_type)
        if text[:1024].count("\x00") > _MAX_NULS:  # after decoding: UTF-16 is text
            raise PageRejected(RejectReason.NOT_HTML, "binary content")
        unreadable = text.count("\ufffd")
        if unreadable > 64 and unreadable > MAX_UNREADABLE * len(text):
            raise PageRejected(RejectReason.UNPARSABLE,
                               f"text undecodable as {encoding}: {unreadable:,} of "
                               f"{len(text):,} characters unreadable (wrong charset label?)")
    else:
        text = data
    if len(text) > MAX_CHARS:
        text = drop_bulky(text)
    text = strip_control(text[:MAX_CHARS])
    if "<" not in text[:4096]:
        raise PageRejected(RejectReason.NOT_HTML, "no markup")
    return text


def drop_bulky(text: str) -> str:
    """`text` without the content of its `<script>`, `<style>` and `<template>` elements
    (JSON-LD under `_KEEP_JSON_LD` characters kept): what a page over the character budget
    loses first. One pass, linear even when elements are left unclosed."""
    lower = text.lower()
    parts: list[str] = []
    position = 0
    while (found := _BULKY.search(text, position)) is not None:
        name = found.group(1).lower()
        open_end = lower.find(">", found.end())
        if open_end < 0:
            break
        close = lower.find(f"</{name}", open_end)
        end = close if close >= 0 else len(text)
        opening = lower[found.start():open_end]
        keep = "ld+json" in opening and end - open_end <= _KEEP_JSON_LD
        parts.append(text[position:open_end + 1])
        if keep:
            parts.append(text[open_end + 1:end])
        position = end
    parts.append(text[position:])
    return "".join(parts)
