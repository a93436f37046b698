"""Page bytes are decoded by BOM, HTTP charset, `<meta charset>`, then UTF-8 or windows-1252."""

from __future__ import annotations

import pytest

from transforms import PageRejected, RejectReason, extract_article
from transforms.charset import decode_page, is_utf8

URL = "https://www.example.test/2026/03/04/zuerich-werk/"
TITLE = "Zürich plant’s café opens — €5 lunches for the night shift"
BODY = ("Workers at the Zürich plant’s new café can buy a lunch for €5, the works council "
        "said on Tuesday. The café — open around the clock — serves the night shift too, "
        "with crème brûlée on Fridays and a menu in German, French and Italian. Orders "
        "placed before the shift starts are kept warm until the break, staff said.")


def page(charset_meta: str = "") -> str:
    return (f"<html><head>{charset_meta}<title>{TITLE}</title></head><body>"
            f"<article><h1>{TITLE}</h1><p>{BODY}</p><p>{BODY.replace('Tuesday', 'Monday')}"
            "</p></article></body></html>")


def extracted(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    article = extract_article(data, URL, content_type=content_type)
    return article.title, article.body


@pytest.mark.parametrize("label", ["windows-1252", "cp1252", "iso-8859-1", "latin-1",
                                   "ISO_8859-1", "us-ascii"])
def test_single_byte_page_declared_by_http_header(label):
    # ISO-8859-1 and ASCII labels mean windows-1252, as in browsers: € and ’ are 0x80, 0x92
    data = page().encode("cp1252")
    title, body = extracted(data, f"text/html; charset={label}")
    assert title == TITLE and body.startswith(BODY)


@pytest.mark.parametrize("meta", ['<meta charset="windows-1252">',
                                  '<meta charset="iso-8859-1">',
                                  '<meta http-equiv="Content-Type" '
                                  'content="text/html; charset=ISO-8859-1">'])
def test_single_byte_page_declared_by_meta(meta):
    title, body = extracted(page(meta).encode("cp1252"))
    assert title == TITLE and body.startswith(BODY)


def test_undeclared_single_byte_page_falls_back_to_windows_1252():
    title, body = extracted(page().encode("cp1252"))
    assert title == TITLE and body.startswith(BODY)


def test_undeclared_utf8_page():
    title, body = extracted(page().encode("utf-8"))
    assert title == TITLE and body.startswith(BODY)


@pytest.mark.parametrize("content_type, meta", [
    ("text/html; charset=iso-8859-1", ""),
    (None, '<meta charset="iso-8859-1">'),
    ("text/html; charset=windows-1252", '<meta charset="windows-1252">'),
])
def test_utf8_page_declared_as_latin1_is_read_as_utf8(content_type, meta):
    """What we do: a page declared ISO-8859-1/windows-1252 whose bytes are valid UTF-8 with
    non-ASCII characters is UTF-8 (servers default to that label; real windows-1252 text
    is practically never valid UTF-8). A browser would show mojibake ("ZÃ¼rich")."""
    title, body = extracted(page(meta).encode("utf-8"), content_type)
    assert title == TITLE and body.startswith(BODY)
    assert "Ã" not in body


@pytest.mark.parametrize("content_type, meta", [
    ("text/html; charset=utf-8", '<meta charset="windows-1252">'),
    ("text/html; charset=utf-8", ""),
    (None, '<meta charset="utf-8">'),
])
def test_utf8_declared_for_windows_1252_bytes(content_type, meta):
    """What we do: bytes declared UTF-8 that mostly are not are read by the page's
    `<meta>` charset if it names another, else as windows-1252."""
    title, body = extracted(page(meta).encode("cp1252"), content_type)
    assert title == TITLE and body.startswith(BODY)


def test_a_stray_bad_byte_does_not_make_utf8_windows_1252():
    data = page('<meta charset="utf-8">').encode("utf-8").replace(b"Tuesday", b"Tues\xffday", 1)
    title, body = extracted(data, "text/html; charset=utf-8")
    assert title == TITLE and "Tues\ufffdday" in body and "Zürich" in body


def test_http_header_wins_over_meta():
    data = page('<meta charset="utf-8">').encode("cp1252")
    title, body = extracted(data, "text/html; charset=windows-1252")
    assert title == TITLE and body.startswith(BODY)


def test_other_declared_charsets_are_trusted():
    # ISO-8859-15 has € at 0xA4, where windows-1252 has ¤
    text = page('<meta charset="iso-8859-15">').replace("’", "'").replace("—", "-")
    title, body = extracted(text.encode("iso-8859-15"))
    assert "€5" in title and "¤" not in body


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(encoding):
    data = page().encode(encoding)
    if encoding.endswith(("-le", "-be")):  # no BOM: only the header says so
        content_type = f"text/html; charset={encoding}"
    else:
        content_type = None
    title, body = extracted(data, content_type)
    assert title == TITLE and body.startswith(BODY)


def test_utf8_bom_wins_over_a_wrong_declaration():
    data = b"\xef\xbb\xbf" + page('<meta charset="windows-1252">').encode("utf-8")
    title, _ = extracted(data, "text/html; charset=windows-1252")
    assert title == TITLE


def test_invalid_bytes_become_replacement_characters():
    data = page('<meta charset="utf-8">').encode("utf-8").replace("café".encode(), b"caf\xff", 1)
    _, body = extracted(data, "text/html; charset=utf-8")
    assert "caf\ufffd" in body or "café" in body


def test_str_pages_are_taken_as_they_are():
    assert extract_article(page(), URL).title == TITLE


def test_non_html_content_types_are_rejected():
    with pytest.raises(PageRejected) as rejected:
        decode_page(b"%PDF-1.4", "application/pdf")
    assert rejected.value.reason is RejectReason.NOT_HTML


def test_is_utf8_allows_a_character_cut_at_the_end():
    assert is_utf8("Zürich".encode()[:2])
    assert is_utf8("€".encode()[:2])
    assert not is_utf8(b"Z\xfcrich")
    assert not is_utf8("€".encode()[:2] + b"x")
