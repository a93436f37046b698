"""Sources files: the shipped ones load; every mistake names the file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from autonews.sources import DEFAULT_SOURCES, DEMO_SOURCES, ConfigError, load_sources

GOOD = """
[[source]]
id = "site_a"
name = "Site A"
home = "https://a.example/"
feeds = ["https://a.example/feed/"]
"""


def test_shipped_sources_load():
    real = load_sources(DEFAULT_SOURCES, include_disabled=True)
    assert len(real) >= 10
    assert all(s.home.startswith("https://") for s in real)
    demo = load_sources(DEMO_SOURCES, {"demo_url": "http://127.0.0.1:8765"})
    assert [s.id for s in demo] == ["motorwire", "autoledger", "gearbox"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("extra", "message"), [
    ('colour = "red"\n', "source 'site_a': key 'colour': unknown key"),
    ("allow = ['(unclosed']\n", "source 'site_a': key 'allow': bad regular expression"),
    ('sitemaps = ["ftp://a.example/s.xml"]\n', "source 'site_a': key 'sitemaps': "
                                                "'ftp://a.example/s.xml' is not an http(s) URL"),
    ('timezone = "Mars/Olympus"\n', "key 'timezone': unknown time zone 'Mars/Olympus'"),
    ('archive = "https://a.example/{year}/"\n', "key 'archive': pattern needs date placeholders"),
    ("max_pages = -3\n", "key 'max_pages': expected a non-negative integer"),
    ('[source.extraction]\ncontent_selectors = ["div[["]\n',
     "key 'extraction.content_selectors': bad CSS selector"),
])
def test_config_errors_name_file_source_and_key(tmp_path, extra, message):
    path = _write(tmp_path, GOOD + extra)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_duplicate_ids_and_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="source 'site_a': key 'id': duplicate source id"):
        load_sources(_write(tmp_path, GOOD + GOOD))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sources(_write(tmp_path, "[[source]\nid="))
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="no way to discover articles"):
        load_sources(_write(tmp_path, GOOD.replace('feeds = ["https://a.example/feed/"]', "")))
    with pytest.raises(ConfigError, match="unknown source id 'zzz' \\(known: site_a\\)"):
        load_sources(_write(tmp_path, GOOD), only="zzz")


def test_demo_placeholder_without_demo_url_is_explained():
    with pytest.raises(ConfigError, match="AUTONEWS_DEMO_URL"):
        load_sources(DEMO_SOURCES)
