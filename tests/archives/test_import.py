"""`import-warc` as a data engineer relies on it: the demo's archive gives the articles a
crawl of the same days gives, twice changes nothing, damage costs only the damaged record,
a silent or broken download is reported and what it gave is kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from autonews.archives.exporter import export_warc
from autonews.archives.importer import import_warcs
from autonews.archives.reader import CountingReader, RawRecord, parse_record, split_records
from autonews.core import Settings, Window
from autonews.demo import catalog
from autonews.demo.archive import OTHER_SITE_URL
from tests.archives.warcs import BASE, DAYS, articles, count, load_live, write_demo_warc

WINDOW = Window.days(DAYS[0], DAYS[-1])
SETTINGS = Settings()


def _expected_urls(days: tuple = DAYS) -> set[str]:
    return {BASE + a.path for day in days for a in catalog.published_on(day)}


def _records(path: Path) -> list[RawRecord]:
    with path.open("rb") as handle:
        return [r for r in split_records(CountingReader(handle)) if isinstance(r, RawRecord)]


def _import(dsn: str, sources: dict, *locations: str | Path, window: Window | None = WINDOW,
            settings: Settings = SETTINGS):
    return import_warcs(dsn, [str(x) for x in locations], list(sources.values()), window,
                        settings)


def test_the_demo_archive_gives_the_articles_a_crawl_gives(dsn, other_dsn, archived_sources,
                                                           tmp_path):
    load_live(other_dsn, archived_sources)
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    report = _import(dsn, archived_sources, warc)
    assert report.ok, report.errors
    live, archived = articles(other_dsn), articles(dsn)
    assert len(archived) == sum(len(catalog.published_on(d)) for d in DAYS)
    assert archived == live
    assert {r[2] for r in archived.values()} == _expected_urls()
    # One run per (source, day), the import recorded as its crawl stage with typed counts.
    assert {(d, s.source_id) for d, s in report.days} == {
        (d, sid) for d in DAYS for sid in archived_sources}
    assert count(dsn, "SELECT count(DISTINCT run_id) FROM pipeline_runs WHERE trigger = "
                 "'archive'") == len(DAYS)
    assert count(dsn, "SELECT count(*) FROM pipeline_runs WHERE status <> 'success'") == 0
    for _, summary in report.days:
        assert summary.crawl.archive_files == 1  # type: ignore[attr-defined]
        assert summary.crawl.fetched == summary.crawl.in_window > 0
        assert summary.load.inserted > 0 and summary.stages["load"] == "success"
    assert count(dsn, "SELECT sum((counts ->> 'fetched')::int) FROM pipeline_runs "
                 "WHERE stage = 'crawl' AND trigger = 'archive'") \
        == report.files[str(warc)]["stored"]


def test_a_day_the_gate_refuses_is_not_loaded_and_its_load_is_recorded_skipped(
        dsn, archived_sources, tmp_path):
    quality = tmp_path / "quality.toml"  # no reject tolerated: the gallery of the 13th fails
    quality.write_text("[source.motorwire]\nmax_reject_rate = 0.0\nmin_pages = 1\n")
    motorwire = {"motorwire": archived_sources["motorwire"]}
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    report = _import(dsn, motorwire, warc, settings=Settings(quality_file=quality))
    assert not report.ok
    days = dict(report.days)
    refused, loaded = days[DAYS[1]], days[DAYS[0]]
    assert refused.error.startswith("gate: quality gate failed for motorwire")
    assert refused.stages == {"crawl": "success", "clean": "success", "gate": "failed",
                              "load": "skipped"}
    assert count(dsn, "SELECT count(*) FROM pipeline_runs WHERE run_id = %s "
                 "AND stage = 'load' AND status = 'skipped'", f"{report.run_id}-{DAYS[1]}") == 1
    assert loaded.ok and loaded.load.inserted == len(catalog.published_on(DAYS[0], "motorwire"))
    assert {r[2] for r in articles(dsn).values()} == {
        BASE + a.path for a in catalog.published_on(DAYS[0], "motorwire")}


def test_importing_the_same_file_twice_changes_nothing(dsn, archived_sources, tmp_path,
                                                       file_server):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    first = _import(dsn, archived_sources, warc)
    pages = count(dsn, "SELECT count(*) FROM raw_pages")
    before = articles(dsn)
    # the same file again, and a copy served over HTTP (another name, the same records)
    (file_server.root / "copy.warc.gz").write_bytes(warc.read_bytes())
    again = _import(dsn, archived_sources, warc, f"{file_server.url}/copy.warc.gz")
    assert again.ok, again.errors
    assert count(dsn, "SELECT count(*) FROM raw_pages") == pages
    assert articles(dsn) == before
    for counts in again.files.values():
        assert counts["stored"] == 0
        assert counts["duplicate_records"] == first.files[str(warc)]["stored"]
    assert all(s.load.inserted == s.load.updated == 0 for _, s in again.days)


def test_an_article_seen_by_a_crawl_and_in_the_archive_is_one_row(dsn, archived_sources,
                                                                  tmp_path):
    load_live(dsn, archived_sources)
    live = articles(dsn)
    pages = count(dsn, "SELECT count(*) FROM raw_pages")
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    report = _import(dsn, archived_sources, warc)
    (counts,) = report.files.values()
    assert counts["matched"] > 0 and counts["already_stored"] == counts["matched"]
    assert count(dsn, "SELECT count(*) FROM raw_pages") == pages  # no copy of what we had
    assert articles(dsn) == live
    assert all(s.load.inserted == s.load.updated == 0 for _, s in report.days)
    assert sum(s.crawl.not_modified for _, s in report.days) == counts["matched"]
    # ...and the archive's provenance points at the crawl's fetches.
    assert count(dsn, "SELECT count(*) FROM raw_page_archives a JOIN raw_pages r "
                 "USING (raw_page_id) WHERE r.discovered_via NOT LIKE 'archive:%%'") \
        == counts["matched"]


def test_records_outside_sources_or_window_are_counted_not_stored(dsn, archived_sources,
                                                                  tmp_path):
    warc = write_demo_warc(tmp_path / "all.warc.gz", days=None)
    report = _import(dsn, archived_sources, warc, window=Window.for_day(DAYS[-1]))
    (counts,) = report.files.values()
    assert counts["other_host"] == 1  # news.example.org is no source
    assert count(dsn, "SELECT count(*) FROM raw_pages WHERE url = %s", OTHER_SITE_URL) == 0
    assert counts["out_of_window"] > 0
    assert counts["http_4xx"] == 2 and counts["http_5xx"] == 1 and counts["not_html"] == 1
    assert {r[2] for r in articles(dsn, (DAYS[-1],)).values()} == _expected_urls(DAYS[-1:])
    assert {d for d, _ in report.days} == {DAYS[-1]}
    # provenance of every stored page: file, record id, offset, capture time
    with_provenance = count(dsn, "SELECT count(*) FROM raw_page_archives WHERE warc_file = %s "
                            "AND record_offset > 0 AND captured_at IS NOT NULL", str(warc))
    assert with_provenance == counts["matched"] == counts["stored"]


def test_without_a_window_every_date_the_file_holds_is_loaded(dsn, archived_sources, tmp_path):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    report = _import(dsn, archived_sources, warc, window=None)
    assert report.ok, report.errors
    assert {d for d, _ in report.days} == set(DAYS)
    assert {r[2] for r in articles(dsn).values()} == _expected_urls()


def test_a_corrupt_record_in_the_middle_is_skipped_counted_and_the_rest_imported(
        dsn, archived_sources, tmp_path):
    good = write_demo_warc(tmp_path / "good.warc.gz")
    responses = [r for r in _records(good) if parse_record(r).record_type == "response"
                 and "/motorwire/" in (parse_record(r).target_uri or "")
                 and parse_record(r).http_status == 200]
    victim = responses[len(responses) // 2]
    victim_url = parse_record(victim).target_uri
    data = bytearray(good.read_bytes())
    middle = victim.offset + victim.length // 2
    data[middle:middle + 40] = bytes(40)  # garbled deflate data
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    report = _import(dsn, archived_sources, bad)
    (counts,) = report.files.values()
    assert counts["corrupt"] == 1
    assert {r[2] for r in articles(dsn).values()} == _expected_urls() - {victim_url}


def test_a_bad_header_in_an_uncompressed_warc_costs_one_record(dsn, archived_sources,
                                                               tmp_path):
    good = write_demo_warc(tmp_path / "good.warc", compress=False)
    data = good.read_bytes()
    victim = next(r for r in _records(good) if parse_record(r).record_type == "response"
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
    report = _import(dsn, archived_sources, bad)
    (counts,) = report.files.values()
    assert counts["corrupt"] == 1
    assert {r[2] for r in articles(dsn).values()} == _expected_urls() - {victim_url}


def test_a_truncated_gzip_member_is_not_imported_as_a_page(dsn, archived_sources, tmp_path):
    good = write_demo_warc(tmp_path / "good.warc.gz")
    responses = [r for r in _records(good) if parse_record(r).record_type == "response"
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
    report = _import(dsn, archived_sources, bad)
    (counts,) = report.files.values()
    assert counts["truncated"] == 1  # the end of the file
    assert counts["corrupt"] == 1  # the member cut in the middle
    lost = {parse_record(middle).target_uri, parse_record(last).target_uri}
    assert {r[2] for r in articles(dsn).values()} == _expected_urls() - lost


def test_an_unreadable_file_is_reported_and_the_others_imported(dsn, archived_sources,
                                                                tmp_path, file_server):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    missing = f"{file_server.url}/missing.warc.gz"
    report = _import(dsn, archived_sources, missing, warc)
    assert not report.ok
    assert "HTTP 404" in report.errors[missing] and missing in report.errors[missing]
    assert len(articles(dsn)) == len(_expected_urls())
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'failed' AND "
                 "warc_file = %s", missing) == 1


def test_a_download_that_breaks_off_keeps_what_it_read_and_says_so(dsn, archived_sources,
                                                                   file_server):
    warc = write_demo_warc(file_server.root / "demo.warc.gz")
    file_server.cut_after("/demo.warc.gz", warc.stat().st_size // 2)
    url = f"{file_server.url}/demo.warc.gz"
    report = _import(dsn, archived_sources, url)
    assert "broke off after" in report.errors[url]
    kept = len(articles(dsn))
    assert 0 < kept < len(_expected_urls())  # the first half, loaded
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'failed'") == 1
    file_server.cut_after("/demo.warc.gz", None)
    again = _import(dsn, archived_sources, url)
    assert again.ok and len(articles(dsn)) == len(_expected_urls())
    # each import is a run of its own: the broken one stays on record as failed
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE warc_file = %s "
                 "AND status = 'done'", url) == 1


def test_a_silent_archive_server_is_given_up_after_the_archive_timeout(dsn, archived_sources,
                                                                       file_server):
    write_demo_warc(file_server.root / "demo.warc.gz")
    file_server.throttle(2.0)  # two seconds before each 8 KB
    url = f"{file_server.url}/demo.warc.gz"
    report = _import(dsn, archived_sources, url, settings=Settings(archive_timeout=0.3))
    assert not report.ok
    assert "broke off after 0 bytes" in report.errors[url]
    assert "timed out" in report.errors[url]
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'failed'") == 1


def test_export_then_import_into_an_empty_warehouse_gives_the_same_articles(
        dsn, other_dsn, archived_sources, tmp_path):
    load_live(dsn, archived_sources)
    out = tmp_path / "export.warc.gz"
    with out.open("wb") as stream:
        pages = export_warc(dsn, WINDOW, stream, SETTINGS)
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
    report = _import(other_dsn, archived_sources, out)
    assert report.ok
    assert articles(other_dsn) == articles(dsn)
    # exporting is stable: importing the export back into the crawl's warehouse adds nothing
    before = count(dsn, "SELECT count(*) FROM raw_pages")
    _import(dsn, archived_sources, out)
    assert count(dsn, "SELECT count(*) FROM raw_pages") == before
