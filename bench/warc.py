"""WARC reading benchmark: our import reader beside warcio's own ArchiveIterator over the same
files, records per second, in one run; and peak memory on a small and a large file.

Usage (from the repository root):

    .venv/bin/python bench/warc.py                       # small (x20) and large (x200) demo
    .venv/bin/python bench/warc.py --small 10 --large 100 --repeat 3 --json

The files are the offline demo site captured as a web archive (`autonews.demo.archive`),
its catalog served `--small` / `--large` times over (each copy 12 days earlier), written once
to a temporary folder as .warc.gz (a gzip member per record) and as plain .warc. Writing
them is not timed. Each reader runs in a process of its own, so its peak RSS is its own.

What is timed (records per second = every WARC record in the file / seconds):

- `warcio`: `ArchiveIterator` over the file, reading every response's payload
  (`content_stream().read()`): the reference.
- `autonews reader`: `split_records` + `parse_record` + `read_payload` for responses: what
  `import-warc` reads with (damage-tolerant split, warcio's record parser).
- `autonews import pass`: the import's per-record work without the database: the reader,
  source matching, and dating each kept page with the cleaner's metadata reader. Every
  response of these files is a page of ours: the worst case.
- `autonews import pass, other sites`: the same with the sources configured on another
  host, as for almost every record of a CC-NEWS file: records are matched and dropped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = "http://127.0.0.1:8765"
READERS = ("warcio", "autonews reader", "autonews import pass",
           "autonews import pass, other sites")


def write_files(folder: Path, copies: int) -> dict[str, Path]:
    from autonews.demo import catalog
    from autonews.demo.archive import demo_captures, write_warc
    from autonews.demo.faults import FaultSet
    from autonews.demo.site import DemoRoutes

    catalog.set_scale(copies)
    try:
        captures = demo_captures(DemoRoutes(FaultSet()), BASE)
    finally:
        catalog.set_scale(1)
    files = {}
    for kind, compress in (("gz", True), ("plain", False)):
        path = folder / f"demo-x{copies}.warc{'.gz' if compress else ''}"
        with path.open("wb") as out:
            write_warc(out, captures, gzip=compress, filename=path.name)
        files[kind] = path
    return files


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            records += 1
            if record.rec_type == "response":
                record.content_stream().read()
    return records


def read_autonews(path: Path) -> int:
    from autonews.archives.reader import CountingReader, Damage, parse_record, split_records

    records = 0
    with path.open("rb") as handle:
        for raw in split_records(CountingReader(handle)):
            if isinstance(raw, Damage):
                continue
            records += 1
            record = parse_record(raw)
            if record.record_type == "response":
                record.read_payload()
    return records


def import_pass(copies: int, ours: bool = True) -> Callable[[Path], int]:
    """The import's per-record work, ready to run (modules imported, sources loaded)."""
    from collections import Counter

    from autonews.archives.importer import _page_of
    from autonews.archives.matching import SourceMatcher
    from autonews.archives.reader import CountingReader, Damage, split_records
    from autonews.core import ArchiveKind
    from autonews.demo import catalog
    from autonews.sources import DEMO_SOURCES, load_sources

    catalog.set_scale(copies)
    # ours=False: the sources live elsewhere, as for most of a CC-NEWS file's records
    matcher = SourceMatcher(load_sources(DEMO_SOURCES, {
        "demo_url": BASE if ours else "http://news.example.net"}))

    def run(path: Path) -> int:
        counts: Counter[str] = Counter()
        records = 0
        with path.open("rb") as handle:
            for raw in split_records(CountingReader(handle)):
                if isinstance(raw, Damage):
                    continue
                records += 1
                _page_of(raw, str(path), matcher, None, "bench", ArchiveKind.WARC, counts)
        return records

    return run


def child(reader: str, path: Path, copies: int) -> dict[str, Any]:
    """Run one reader over one file in this process: records, seconds, peak RSS. Modules
    are imported before the clock starts."""
    import warcio.archiveiterator  # noqa: F401

    import autonews.archives.reader  # noqa: F401

    run: Callable[[Path], int]
    if reader == "warcio":
        run = read_warcio
    elif reader == "autonews reader":
        run = read_autonews
    else:
        run = import_pass(copies, ours=not reader.endswith("other sites"))
    start = time.perf_counter()
    records = run(path)
    seconds = time.perf_counter() - start
    return {"records": records, "seconds": seconds, "peak_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; getrusage's ru_maxrss would report the
    parent's size at fork time, which survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(reader: str, path: Path, copies: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", reader, str(path),
                           str(copies)], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=20, help="copies of the demo catalog")
    parser.add_argument("--large", type=int, default=200, help="copies of the demo catalog")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        reader, path, copies = args.child
        print(json.dumps(child(reader, Path(path), int(copies))))
        return
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="autonews-bench-warc-") as tmp:
        for copies in (args.small, args.large):
            for kind, path in write_files(Path(tmp), copies).items():
                for reader in READERS:
                    runs = [measure(reader, path, copies) for _ in range(args.repeat)]
                    seconds = statistics.median(r["seconds"] for r in runs)
                    results.append({
                        "file": path.name, "kind": kind, "copies": copies,
                        "size_mb": path.stat().st_size / 1e6, "reader": reader,
                        "records": runs[0]["records"], "seconds": seconds,
                        "records_per_s": runs[0]["records"] / seconds,
                        "peak_mb": max(r["peak_mb"] for r in runs)})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    reference = {(r["file"]): r["records_per_s"] for r in results if r["reader"] == "warcio"}
    print(f"{'file':<24} {'MB':>7} {'reader':<34} {'records':>8} {'rec/s':>9} "
          f"{'vs warcio':>9} {'peak MB':>8}")
    for r in results:
        print(f"{r['file']:<24} {r['size_mb']:>7.1f} {r['reader']:<34} {r['records']:>8} "
              f"{r['records_per_s']:>9,.0f} {r['records_per_s'] / reference[r['file']]:>9.2f} "
              f"{r['peak_mb']:>8.1f}")


if __name__ == "__main__":
    main()
