"""Streaming WARC reading that survives damage: the file is cut into records (one gzip
member each, or by WARC headers when uncompressed) and each record is parsed by warcio.

Why not warcio's `ArchiveIterator` alone: it stops for good at the first record it cannot
parse, and it reads a gzip member cut short as if it were whole (warcio issues #99, #138).
An archive of a million records with one bad one must lose that one record, counted, and a
truncated download must not pass a half page off as a page. The split keeps one record in
memory at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException
from warcio.timeutils import iso_date_to_datetime

log = logging.getLogger(__name__)

BLOCK = 256 * 1024
# gzip input is fed in small pieces: zlib copies what follows a member's end (unused_data)
# at every member, and a big piece would be copied again for each of its many members.
GZIP_BLOCK = 16 * 1024
MAX_RECORD_BYTES = 32 * 1024 * 1024  # larger records are skipped, counted as too_large
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"(?:^|\n)(WARC/1\.[01]\r?\n)")


class ShortRead(OSError):
    """The stream ended before the size it announced (a download that broke off)."""


class CountingReader:
    """A binary stream that counts the bytes read from it (progress, offsets) and, when
    its size is known, refuses to end early: a cut download is an error, not a short file."""

    def __init__(self, stream: BinaryIO, expected: int | None = None) -> None:
        self.stream = stream
        self.expected = expected
        self.bytes_read = 0

    def read(self, size: int = BLOCK) -> bytes:
        data = self.stream.read(size)
        self.bytes_read += len(data)
        if not data and size and self.expected is not None and self.bytes_read < self.expected:
            raise ShortRead(f"the stream ended after {self.bytes_read} of its "
                            f"{self.expected} bytes")
        return data


@dataclass(frozen=True)
class RawRecord:
    """The bytes of one WARC record and where it sits in the file."""

    offset: int
    length: int  # bytes in the file (compressed size for .warc.gz)
    data: bytes


@dataclass(frozen=True)
class Damage:
    """A stretch of the file that holds no readable record."""

    offset: int
    kind: str  # corrupt | truncated | too_large
    detail: str


@dataclass
class WarcRecord:
    """A parsed WARC record (headers read, payload on demand): what an import needs."""

    offset: int
    length: int
    record_type: str
    record_id: str | None
    target_uri: str | None
    captured_at: datetime | None
    http_status: int | None
    http_headers: dict[str, str]
    _record: Any = field(repr=False, default=None)

    def read_payload(self) -> bytes:
        """The HTTP payload, transfer- and content-decoded; `ValueError` when the record
        holds fewer bytes than its Content-Length says (cut short) or does not decode."""
        record = self._record
        try:
            payload: bytes = record.content_stream().read()
            while record.raw_stream.read(BLOCK):
                pass
        except (OSError, zlib.error, ValueError) as exc:
            raise ValueError(f"undecodable payload: {exc}") from exc
        missing = getattr(record.raw_stream, "limit", 0)
        if missing > 0:
            raise ValueError(f"record cut short: {missing} bytes missing")
        return payload


def split_records(stream: CountingReader) -> Iterator[RawRecord | Damage]:
    """The records of a WARC stream, gzipped per record or not (sniffed), with the damage
    found between them."""
    head = stream.read(GZIP_BLOCK)
    if head.startswith(_GZIP_MAGIC[:2]):
        yield from _gzip_members(stream, head)
    else:
        yield from _plain_records(stream, head)


def _gzip_members(stream: CountingReader, buf: bytes) -> Iterator[RawRecord | Damage]:
    pos = 0  # file offset of buf[0]
    resyncing = False
    while True:
        if not buf:
            buf = stream.read(GZIP_BLOCK)
            if not buf:
                return
        start = pos
        member = bytearray()  # the member's compressed bytes, kept to resync after damage
        decompressor = zlib.decompressobj(wbits=31)
        parts: list[bytes] = []
        size = 0
        problem: Damage | None = None
        while not decompressor.eof:
            if not buf:
                buf = stream.read(GZIP_BLOCK)
                if not buf:
                    problem = Damage(start, "truncated",
                                     f"the file ends inside a gzip member ({len(member)} bytes)")
                    break
            try:
                out = decompressor.decompress(buf)
            except zlib.error as exc:
                problem = Damage(start, "corrupt", f"gzip: {exc}")
                member += buf
                buf = b""
                break
            member += buf
            buf = b""
            size += len(out)
            if size <= MAX_RECORD_BYTES:
                parts.append(out)
            elif parts:
                parts = []
        if problem is None:
            unused = decompressor.unused_data
            length = len(member) - len(unused)
            buf = unused
            pos = start + length
            data = b"".join(parts)
            if size > MAX_RECORD_BYTES:
                yield Damage(start, "too_large", f"record of {size} bytes skipped")
            elif resyncing and not data.startswith(b"WARC/"):
                continue  # a false gzip header inside damaged data
            else:
                resyncing = False
                yield RawRecord(start, length, data)
            continue
        if problem.kind == "truncated":
            if not resyncing:
                yield problem
            return
        if not resyncing:
            yield problem
        resyncing = True
        # Look for the next member header after this one's first byte.
        rest = bytes(member[1:])
        base = start + 1
        while True:
            found = rest.find(_GZIP_MAGIC)
            if found >= 0:
                buf = rest[found:]
                pos = base + found
                break
            keep = rest[-2:]
            more = stream.read(GZIP_BLOCK)
            if not more:
                return
            base += len(rest) - len(keep)
            rest = keep + more


def _plain_records(stream: CountingReader, data: bytes) -> Iterator[RawRecord | Damage]:
    i = 0  # next unread byte in data
    base = 0  # file offset of data[0]

    def refill(need: int = 0) -> bool:
        """Append the next block (at least `need` bytes), dropping what was read."""
        nonlocal data, i, base
        more = stream.read(max(BLOCK, need))
        if not more:
            return False
        base += i
        data = data[i:] + more
        i = 0
        return True

    while True:
        while True:  # the blank lines between records
            while i < len(data) and data[i] in (10, 13):
                i += 1
            if i < len(data):
                break
            if not refill():
                return
        while True:  # the end of the WARC header block
            end = data.find(b"\r\n\r\n", i)
            if end >= 0:
                end += 4
                break
            end = data.find(b"\n\n", i)
            if end >= 0:
                end += 2
                break
            if not refill():
                if data[i:].strip():
                    yield Damage(base + i, "truncated", "the file ends inside a record header")
                return
        pos = base + i
        header = data[i:end]
        length = _content_length(header) if header.startswith(b"WARC/1.") else None
        if length is None:
            first = header[:60].decode("latin-1", "replace").splitlines() or [""]
            yield Damage(pos, "corrupt", f"not a WARC record header: {first[0]}")
            skipped, data = _resync_plain(stream, data[i + 1:])
            base, i = pos + 1 + skipped, 0
            continue
        head = end - i
        total = head + length + 4
        while len(data) - i < total:
            if not refill(total - (len(data) - i)):
                yield Damage(pos, "truncated", f"the file ends inside a record of {length} "
                             "bytes")
                return
        body_end = i + head + length
        if data[body_end:i + total] != b"\r\n\r\n":
            yield Damage(pos, "corrupt", "record not followed by a blank line: its "
                         "Content-Length is wrong")
            skipped, data = _resync_plain(stream, data[i + 1:])
            base, i = pos + 1 + skipped, 0
            continue
        if length > MAX_RECORD_BYTES:
            yield Damage(pos, "too_large", f"record of {length} bytes skipped")
        else:
            yield RawRecord(pos, total, data[i:body_end])
        i += total


def _resync_plain(stream: CountingReader, data: bytes) -> tuple[int, bytes]:
    """Skip to the next line that starts a WARC record; returns (bytes skipped, rest)."""
    skipped = 0
    while True:
        match = _WARC_LINE.search(data)
        if match:
            return skipped + match.start(1), data[match.start(1):]
        keep = data[-16:]
        skipped += len(data) - len(keep)
        more = stream.read(BLOCK)
        if not more:
            return skipped + len(keep), b""
        data = keep + more


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
            return length if length >= 0 else None
    return None


_LOADER = ArcWarcRecordLoader(verify_http=False, arc2warc=False)


def parse_record(raw: RawRecord) -> WarcRecord:
    """Parse one record's headers with warcio; raises `ValueError` for a damaged record."""
    try:
        record = _LOADER.parse_record_stream(io.BytesIO(raw.data), known_format="warc")
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError) as exc:
        text = str(exc).strip().splitlines()
        raise ValueError(f"unparsable record: {(text[0] if text else type(exc).__name__)[:200]}"
                         ) from exc
    headers = record.rec_headers
    status = None
    http_headers: dict[str, str] = {}
    if record.http_headers is not None and record.rec_type in ("response", "revisit"):
        try:
            status = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            status = None
        http_headers = {k.lower(): v for k, v in record.http_headers.headers}
    return WarcRecord(
        offset=raw.offset, length=raw.length, record_type=record.rec_type or "",
        record_id=headers.get_header("WARC-Record-ID"),
        target_uri=headers.get_header("WARC-Target-URI"),
        captured_at=_warc_date(headers.get_header("WARC-Date")),
        http_status=status, http_headers=http_headers, _record=record)


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed: datetime = iso_date_to_datetime(value, tz_aware=True)
    except (ValueError, TypeError):
        return None
    return parsed.astimezone(UTC)
