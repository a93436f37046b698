"""`import-warc` as a data engineer relies on it: the demo's archive gives the live crawl's
articles, twice changes nothing, damage costs only the damaged record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autonews.archives.importer import import_warcs
from autonews.archives.reader import CountingReader, RawRecord, parse_record, split_records
from autonews.demo import catalog
from autonews.demo.archive import OTHER_SITE_URL
from autonews.jobs import Window
from tests.archives.conftest import DAYS, articles, count, crawl_live, write_demo_warc

WINDOW = Window(Window.for_day(DAYS[0]).start, Window.for_day(DAYS[-1]).end)


def _expected_urls(base: str) -> set[str]:
    return {base + a.path for day in DAYS for a in catalog.published_on(day)}


def _records(path: Path) -> list[RawRecord]:
    with path.open("rb") as handle:
        return [r for r in split_records(CountingReader(handle)) if isinstance(r, RawRecord)]


def test_the_demo_archive_gives_the_articles_of_the_live_crawl(dsn, other_dsn, demo,
                                                                demo_sources, tmp_path):
    crawl_live(other_dsn, demo_sources)
    warc = write_demo_warc(tmp_path / "demo.warc.gz", demo.url)
    report = import_warcs(dsn, [str(warc)], list(demo_sources.values()), WINDOW)
    assert report.ok, report.errors
    live, archived = articles(other_dsn), articles(dsn)
    assert len(archived) == sum(len(catalog.published_on(d)) for d in DAYS)
    assert archived == live
    assert {r[2] for r in archived.values()} == _expected_urls(demo.url)
    # One run per day, the import recorded as its crawl stage, triggered by "archive".
    assert count(dsn, "SELECT count(DISTINCT run_id) FROM pipeline_runs WHERE trigger = "
                 "'archive'") == len(DAYS)
    assert count(dsn, "SELECT count(*) FROM pipeline_runs WHERE status <> 'success'") == 0


def test_importing_the_same_file_twice_changes_nothing(dsn, demo, demo_sources, tmp_path,
                                                       file_server):
    warc = write_demo_warc(tmp_path / "demo.warc.gz", demo.url)
    sources = list(demo_sources.values())
    first = import_warcs(dsn, [str(warc)], sources, WINDOW)
    pages = count(dsn, "SELECT count(*) FROM raw_pages")
    before = articles(dsn)
    # the same file again, and a copy served over HTTP (another name, the same records)
    (file_server.root / "copy.warc.gz").write_bytes(warc.read_bytes())
    again = import_warcs(dsn, [str(warc), f"{file_server.url}/copy.warc.gz"], sources, WINDOW)
    assert again.ok, again.errors
    assert count(dsn, "SELECT count(*) FROM raw_pages") == pages
    assert articles(dsn) == before
    for counts in again.files.values():
        assert counts["stored"] == 0
        assert counts["duplicate_records"] == first.files[str(warc)]["stored"]
    assert all(r.load["inserted"] == r.load["updated"] == 0 for _, r in again.days)


def test_an_article_seen_live_and_in_the_archive_is_one_row(dsn, demo, demo_sources,
                                                           tmp_path):
    crawl_live(dsn, demo_sources)
    live = articles(dsn)
    pages = count(dsn, "SELECT count(*) FROM raw_pages")
    warc = write_demo_warc(tmp_path / "demo.warc.gz", demo.url)
    report = import_warcs(dsn, [str(warc)], list(demo_sources.values()), WINDOW)
    (counts,) = report.files.values()
    assert counts["matched"] > 0 and counts["already_stored"] == counts["matched"]
    assert count(dsn, "SELECT count(*) FROM raw_pages") == pages  # no copy of what we had
    assert articles(dsn) == live
    assert all(r.load["inserted"] == r.load["updated"] == 0 for _, r in report.days)
    # ...and the archive's provenance points at the live fetches.
    assert count(dsn, "SELECT count(*) FROM raw_page_archives a JOIN raw_pages r "
                 "USING (raw_page_id) WHERE r.discovered_via NOT LIKE 'archive:%%'") \
        == counts["matched"]


def test_records_outside_sources_or_window_are_counted_not_stored(dsn, demo, demo_sources,
                                                                  tmp_path):
    warc = write_demo_warc(tmp_path / "all.warc.gz", demo.url, tuple(catalog.days()))
    day = Window.for_day(DAYS[-1])
    report = import_warcs(dsn, [str(warc)], list(demo_sources.values()), day)
    (counts,) = report.files.values()
    assert counts["other_host"] == 1  # news.example.org is no source
    assert count(dsn, "SELECT count(*) FROM raw_pages WHERE url = %s", OTHER_SITE_URL) == 0
    assert counts["out_of_window"] > 0
    assert counts["http_4xx"] == 2 and counts["http_5xx"] == 1 and counts["not_html"] == 1
    assert set(articles(dsn, (DAYS[-1],))) and all(
        d == DAYS[-1] for d, _ in report.days)
    # provenance of every stored page: file, record id, offset, capture time
    with_provenance = count(dsn, "SELECT count(*) FROM raw_page_archives WHERE warc_file = %s "
                            "AND record_offset > 0 AND captured_at IS NOT NULL", str(warc))
    assert with_provenance == counts["matched"] == counts["stored"]


def test_a_corrupt_record_in_the_middle_is_skipped_counted_and_the_rest_imported(
        dsn, demo, demo_sources, tmp_path):
    good = write_demo_warc(tmp_path / "good.warc.gz", demo.url)
    records = _records(good)
    responses = [r for r in records if parse_record(r).record_type == "response"
                 and "/motorwire/" in (parse_record(r).target_uri or "")
                 and parse_record(r).http_status == 200]
    victim = responses[len(responses) // 2]
    victim_url = parse_record(victim).target_uri
    data = bytearray(good.read_bytes())
    middle = victim.offset + victim.length // 2
    data[middle:middle + 40] = bytes(40)  # garbled deflate data
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    report = import_warcs(dsn, [str(bad)], list(demo_sources.values()), WINDOW)
    (counts,) = report.files.values()
    assert counts["corrupt"] == 1
    stored = articles(dsn)
    assert victim_url not in {r[2] for r in stored.values()}
    assert {r[2] for r in stored.values()} == _expected_urls(demo.url) - {victim_url}


def test_a_bad_header_in_an_uncompressed_warc_costs_one_record(dsn, demo, demo_sources,
                                                               tmp_path):
    good = write_demo_warc(tmp_path / "good.warc", demo.url, compress=False)
    data = good.read_bytes()
    records = _records(good)
    victim = next(r for r in records if parse_record(r).record_type == "response"
                  and parse_record(r).http_status == 200)
    victim_url = parse_record(victim).target_uri
    # a Content-Length that lies: the record no longer ends where it says
    end = data.index(b"\r\n\r\n", victim.offset) + 4
    head = data[victim.offset:end]
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    broken = head.replace(f"Content-Length: {length}".encode(),
                          f"Content-Length: {length + 7}".encode(), 1)
    bad = tmp_path / "bad.warc"
    bad.write_bytes(data[:victim.offset] + broken + data[end:])
    report = import_warcs(dsn, [str(bad)], list(demo_sources.values()), WINDOW)
    (counts,) = report.files.values()
    assert counts["corrupt"] == 1
    assert {r[2] for r in articles(dsn).values()} == _expected_urls(demo.url) - {victim_url}


def test_a_truncated_gzip_member_is_not_imported_as_a_page(dsn, demo, demo_sources,
                                                           tmp_path):
    good = write_demo_warc(tmp_path / "good.warc.gz", demo.url)
    records = _records(good)
    responses = [r for r in records if parse_record(r).record_type == "response"
                 and parse_record(r).http_status == 200
                 and "news.example.org" not in (parse_record(r).target_uri or "")]
    data = good.read_bytes()
    # 1. a member cut short in the middle of the file, the next members intact
    middle = responses[2]
    cut = data[:middle.offset + middle.length // 2] + data[middle.offset + middle.length:]
    # 2. the download stops inside the last response
    last = responses[-1]
    cut = cut[:len(cut) - (len(data) - last.offset) + last.length // 2]
    bad = tmp_path / "cut.warc.gz"
    bad.write_bytes(cut)
    report = import_warcs(dsn, [str(bad)], list(demo_sources.values()), WINDOW)
    (counts,) = report.files.values()
    assert counts["truncated"] == 1  # the end of the file
    assert counts["corrupt"] == 1  # the member cut in the middle
    lost = {parse_record(middle).target_uri, parse_record(last).target_uri}
    assert {r[2] for r in articles(dsn).values()} == _expected_urls(demo.url) - lost


def test_an_unreadable_file_is_reported_and_the_others_imported(dsn, demo, demo_sources,
                                                                tmp_path, file_server):
    warc = write_demo_warc(tmp_path / "demo.warc.gz", demo.url)
    missing = f"{file_server.url}/missing.warc.gz"
    report = import_warcs(dsn, [missing, str(warc)], list(demo_sources.values()), WINDOW)
    assert not report.ok
    assert "HTTP 404" in report.errors[missing] and missing in report.errors[missing]
    assert len(articles(dsn)) == len(_expected_urls(demo.url))
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'failed' AND "
                 "warc_file = %s", missing) == 1


def test_a_download_that_breaks_off_keeps_what_it_read_and_says_so(dsn, demo, demo_sources,
                                                                   tmp_path, file_server):
    warc = write_demo_warc(file_server.root / "demo.warc.gz", demo.url)
    file_server.cut_after("/demo.warc.gz", warc.stat().st_size // 2)
    url = f"{file_server.url}/demo.warc.gz"
    report = import_warcs(dsn, [url], list(demo_sources.values()), WINDOW)
    assert "broke off after" in report.errors[url]
    kept = len(articles(dsn))
    assert 0 < kept < len(_expected_urls(demo.url))  # the first half, loaded
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'failed'") == 1
    file_server.server.cut.clear()  # type: ignore[attr-defined]
    again = import_warcs(dsn, [url], list(demo_sources.values()), WINDOW)
    assert again.ok and len(articles(dsn)) == len(_expected_urls(demo.url))


def test_export_then_import_into_an_empty_warehouse_gives_the_same_articles(
        dsn, other_dsn, demo_sources, tmp_path):
    from autonews.archives.exporter import export_warc

    crawl_live(dsn, demo_sources)
    out = tmp_path / "export.warc.gz"
    with out.open("wb") as stream:
        pages = export_warc(dsn, WINDOW, stream)
    assert pages == count(dsn, "SELECT count(*) FROM raw_pages WHERE body IS NOT NULL "
                          "AND kind = 'article'")
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(warcio), "index", "-f", "warc-type", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert index.returncode == 0
    types = [line for line in index.stdout.splitlines() if line]
    assert sum('"response"' in t for t in types) == pages
    assert sum('"request"' in t for t in types) == pages
    assert sum('"metadata"' in t for t in types) == pages
    report = import_warcs(other_dsn, [str(out)], list(demo_sources.values()), WINDOW)
    assert report.ok
    assert articles(other_dsn) == articles(dsn)
    # exporting is stable: importing the export back into the crawl's warehouse adds nothing
    before = count(dsn, "SELECT count(*) FROM raw_pages")
    import_warcs(dsn, [str(out)], list(demo_sources.values()), WINDOW)
    assert count(dsn, "SELECT count(*) FROM raw_pages") == before
