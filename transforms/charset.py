"""Page bytes to text: BOM, HTTP charset, `<meta charset>`, UTF-8 check, windows-1252 fallback."""

from __future__ import annotations

import codecs

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
        return fallback, to_unicode(data, fallback)
    return encoding, text


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
        _, text = decode_bytes(data[: MAX_CHARS * 4], content_type)
        if text[:1024].count("\x00") > _MAX_NULS:  # after decoding: UTF-16 is text
            raise PageRejected(RejectReason.NOT_HTML, "binary content")
    else:
        text = data
    text = strip_control(text[:MAX_CHARS])
    if "<" not in text[:4096]:
        raise PageRejected(RejectReason.NOT_HTML, "no markup")
    return text
