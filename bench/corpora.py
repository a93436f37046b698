"""Real-page corpora for `bench/realworld.py`, rebuilt from public repositories' snapshots.

Usage (from the repository root):

    .venv/bin/python bench/corpora.py --snapshots /work/.mirror     # -> bench/corpora/

`--snapshots DIR` holds bare git copies of the public repositories below, one per
`DIR/<owner>+<name>/repo` (what the development `fetch` tool writes; elsewhere:
`git clone --bare https://github.com/<owner>/<name> DIR/<owner>+<name>/repo`). Nothing
fetched is committed: the output folder (`bench/corpora/`, or `$AUTONEWS_CORPORA`) is
git-ignored. Each page becomes `<out>/<corpus>/<id>/page.html` + `expected.json`:

- `body`: the whole expected text (readability, newspaper4k), scored by shingle F1;
- `with` / `without`: snippets the text must / must not hold (trafilatura's evaluation,
  postlight's first words), scored as trafilatura's own evaluation does;
- `title`, `authors`, `published` (+ `published_precision`: `day` or `second`): field
  gold where the source has a trustworthy one, else null (not scored);
- `language` (the page's `lang`, else a stop-word guess), `group`, `split`.

`split` is `dev` or `heldout` (a third of the pages, by a hash of the page id): tune on
dev only and report heldout separately. Pages named by a 32-digit hex id in the
trafilatura and htmldate sets are left out: they may come from a benchmark the project
keeps back for acceptance.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import lxml.html

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpora"
HELDOUT_SHARE = 3  # one page in three is held out
# Snapshots the figures in bench/README.md were measured on (HEAD when absent).
PINNED = {
    "mozilla/readability": "ab4027a8b37669745016869a37a504727992b2ba",
    "AndyTheFactory/newspaper4k": "540bff3e8344cb8291c4829fafd98860f30d9692",
    "adbar/trafilatura": "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
    "postlight/parser": "e8ba7ece291efa4d915d50dd4deeec17d54359f2",
    "adbar/htmldate": "b8952828329abaeeb3be21387b526f2be614ce67",
}
_HEX_ID = re.compile(r"^[0-9a-f]{32}")
# readability's unit tests on hand-made markup, not real pages
_SYNTHETIC = re.compile(r"^(\d{3}-|base-url|basic-tags|clean-links|comment-inside|data-url|"
                        r"dev418|embedded-videos|hidden-nodes|invalid-attr|js-link|lazy-image-3|"
                        r"missing-paragraphs|normalize-spaces|ol$|parsely-metadata|"
                        r"remove-|reordering|replace-|rtl-|social-buttons|style-tags|"
                        r"svg-parsing|table-style|title-and-h1|title-en-dash|visibility-hidden|"
                        r"metadata-content|mathjax|keep-tabular|links-in-tables|toc-missing)")
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote",
                     "pre", "tr", "td", "th", "table", "ul", "ol", "section", "article",
                     "br", "dd", "dt", "figure", "header", "footer", "figcaption"})
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "is", "in", "that", "for", "with", "was"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "sich", "auf", "ein"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "pour", "dans", "qui"},
    "es": {"el", "los", "las", "del", "que", "por", "una", "para", "con", "se"},
    "it": {"il", "della", "che", "di", "per", "una", "sono", "non", "gli", "nel"},
    "pt": {"o", "os", "do", "da", "que", "em", "um", "uma", "não", "para"},
    "nl": {"het", "een", "van", "en", "de", "niet", "zijn", "voor", "op", "dat"},
    "pl": {"się", "nie", "jest", "na", "że", "do", "jak", "to", "od", "przez"},
}
GROUPS = {"en": "en", "de": "de", "fr": "fr/es/it/pt", "es": "fr/es/it/pt",
          "it": "fr/es/it/pt", "pt": "fr/es/it/pt", "ca": "fr/es/it/pt",
          "ja": "cjk/th", "zh": "cjk/th", "ko": "cjk/th", "th": "cjk/th"}


@dataclass
class Page:
    corpus: str
    id: str
    url: str
    html: bytes
    body: str | None = None
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    published_precision: str | None = None
    language: str | None = None


class Snapshot:
    """A bare git copy of a public repository, read at its pinned commit."""

    def __init__(self, root: Path, repo: str) -> None:
        self.repo = repo
        self.git_dir = root / repo.replace("/", "+") / "repo"
        if not self.git_dir.is_dir():
            raise FileNotFoundError(
                f"{self.git_dir}: no snapshot of {repo} (git clone --bare "
                f"https://github.com/{repo} {self.git_dir})")
        pinned = PINNED[repo]
        known = subprocess.run(["git", "--git-dir", str(self.git_dir), "cat-file", "-e",
                                f"{pinned}^{{commit}}"], capture_output=True).returncode == 0
        self.commit = pinned if known else "HEAD"
        if not known:
            print(f"{repo}: pinned commit {pinned[:10]} absent, using HEAD", file=sys.stderr)

    def names(self, prefix: str) -> list[str]:
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "ls-tree", "-r", "-z",
                              "--name-only", self.commit, prefix],
                             capture_output=True, check=True).stdout
        return [n.decode() for n in out.split(b"\0") if n]

    def read(self, path: str) -> bytes:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), "show",
                               f"{self.commit}:{path}"], capture_output=True,
                              check=True).stdout


# ---------------------------------------------------------------- helpers


def html_to_text(fragment: str | bytes) -> str:
    """Text of an HTML fragment, one block per paragraph-level element."""
    if isinstance(fragment, bytes):
        fragment = fragment.decode("utf-8", "replace")
    root = lxml.html.fromstring(fragment)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    blocks = (" ".join(b.split()) for b in root.text_content().split("\n\n"))
    return "\n\n".join(b for b in blocks if b)


def page_language(html: bytes, text: str) -> str | None:
    """The page's declared `lang`, else a guess from stop words or script."""
    head = html[:20000].decode("utf-8", "replace")
    match = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})", head, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    return guess_language(text)


def guess_language(text: str) -> str | None:
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if len(re.findall(r"[\u4e00-\u9fff]", text)) > 20:
        return "zh"
    if re.search(r"[\uac00-\ud7af]{5}", text):
        return "ko"
    if re.search(r"[\u0e00-\u0e7f]{5}", text):
        return "th"
    words = Counter(w.lower() for w in re.findall(r"\w+", text))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 3 else None


def split_names(text: str) -> list[str]:
    """'A, B and C' / 'A; B' -> names (for gold strings only)."""
    parts = re.split(r"\s*(?:;|,|\band\b|\bund\b|&)\s*", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


_JS_STRING = r"(?P<q>['\"`])(?P<v>(?:\\.|(?!(?P=q)).)*)(?P=q)"


def js_unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        esc = match.group(1)
        if esc.startswith("u"):
            return chr(int(esc[1:], 16))
        if esc.startswith("x"):
            return chr(int(esc[1:], 16))
        return {"n": "\n", "t": "\t"}.get(esc, esc)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", repl, text)


# ---------------------------------------------------------------- corpora


def readability_pages(snap: Snapshot) -> Iterator[Page]:
    dirs = sorted({n.split("/")[2] for n in snap.names("test/test-pages/")})
    for name in dirs:
        if _SYNTHETIC.match(name):
            continue
        base = f"test/test-pages/{name}"
        meta = json.loads(snap.read(f"{base}/expected-metadata.json"))
        if not meta.get("readerable", True):
            continue
        html = snap.read(f"{base}/source.html")
        body = html_to_text(snap.read(f"{base}/expected.html"))
        page = Page("readability", name, f"http://fakehost/{name}/", html, body=body)
        when = meta.get("publishedTime")
        if isinstance(when, str) and re.match(r"\d{4}-\d{2}-\d{2}", when):
            zoned = bool(re.search(r"(Z|[+-]\d{2}:?\d{2})$", when))
            page.published = when
            page.published_precision = "second" if zoned and "T" in when else "day"
        lang = meta.get("lang")
        page.language = (lang.split("-")[0].lower() if isinstance(lang, str) and lang
                         else page_language(html, body))
        yield page


def newspaper_pages(snap: Snapshot) -> Iterator[Page]:
    for path in snap.names("tests/data/metadata/"):
        name = Path(path).stem
        try:
            html = snap.read(f"tests/data/html/{name}.html")
            body = snap.read(f"tests/data/txt/{name}.txt").decode("utf-8")
        except subprocess.CalledProcessError:
            continue
        meta = json.loads(snap.read(path))
        url = meta.get("url") or f"http://fakehost/{name}/"
        if "video" in name or not body.strip():
            continue
        page = Page("newspaper4k", name, url, html, body=body.strip())
        page.language = meta.get("language") or page_language(html, body)
        yield page


def trafilatura_pages(snap: Snapshot) -> Iterator[Page]:
    data = json.loads(snap.read("tests/evaldata.json"))
    present = set(snap.names("tests/eval/")) | set(snap.names("tests/cache/"))
    for url, item in data.items():
        filename = item.get("file", "")
        if not filename or _HEX_ID.match(filename):
            continue
        path = next((p for p in (f"tests/eval/{filename}", f"tests/cache/{filename}")
                     if p in present), None)
        if path is None:
            continue
        html = snap.read(path)
        page = Page("trafilatura", Path(filename).stem, url, html,
                    with_=list(item.get("with", [])), without=list(item.get("without", [])))
        if item.get("title"):
            page.title = " ".join(item["title"].split())
        if "author" in item:
            author = item["author"]
            names = author if isinstance(author, list) else split_names(author or "")
            page.authors = [" ".join(n.split()) for n in names if n.strip()]
        if item.get("date"):
            page.published, page.published_precision = item["date"], "day"
        page.language = page_language(html, " ".join(page.with_))
        yield page


_POSTLIGHT_FIELD = re.compile(
    r"assert\.equal\(\s*(?P<field>title|author|date_published|first13),\s*"
    rf"(?:{_JS_STRING}|(?P<null>null))\s*,?\s*\)", re.DOTALL)
_POSTLIGHT_URL = re.compile(rf"url\s*=\s*{_JS_STRING}", re.DOTALL)
_POSTLIGHT_FIXTURE = re.compile(r"readFileSync\(\s*'\./fixtures/([^']+)'")


def postlight_pages(snap: Snapshot) -> Iterator[Page]:
    for path in snap.names("src/extractors/custom/"):
        if not path.endswith("index.test.js"):
            continue
        source = snap.read(path).decode("utf-8")
        # only the first ("initial test case") block: its url, fixture and fields
        second = source.find("readFileSync", source.find("readFileSync") + 1)
        head = source if second < 0 else source[:second]
        url_match, fixture = _POSTLIGHT_URL.search(head), _POSTLIGHT_FIXTURE.search(head)
        if not url_match or not fixture:
            continue
        try:
            html = snap.read(f"fixtures/{fixture.group(1)}")
        except subprocess.CalledProcessError:
            continue
        page = Page("postlight", Path(fixture.group(1)).stem,
                    js_unescape(url_match.group("v")), html)
        for match in _POSTLIGHT_FIELD.finditer(head):
            value = None if match.group("null") else js_unescape(match.group("v"))
            name = match.group("field")
            if name == "title" and value:
                page.title = " ".join(value.split())
            elif name == "author":
                page.authors = split_names(value) if value else []
            elif name == "date_published" and value:
                page.published, page.published_precision = value, "second"
            elif name == "first13" and value:
                page.with_.append(" ".join(value.split()))
        if page.title is None and not page.with_:
            continue
        page.language = page_language(html, page.title or "")
        yield page


def htmldate_pages(snap: Snapshot, skip: set[str]) -> Iterator[Page]:
    data = json.loads(snap.read("tests/eval_default.json"))
    present = set(snap.names("tests/eval/"))
    for url, item in data.items():
        filename = item.get("file", "")
        path = f"tests/eval/{filename}"
        if (not filename or _HEX_ID.match(filename) or path not in present
                or Path(filename).stem in skip or not item.get("date")):
            continue
        html = snap.read(path)
        page = Page("htmldate", Path(filename).stem, url, html, published=item["date"],
                    published_precision="day")
        page.language = page_language(html, "")
        yield page


# ---------------------------------------------------------------- output


def split_of(corpus: str, page_id: str) -> str:
    digest = hashlib.sha1(f"{corpus}/{page_id}".encode()).digest()
    return "heldout" if digest[0] % HELDOUT_SHARE == 0 else "dev"


def safe_id(page_id: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "_", page_id)[:80]
    return cleaned or hashlib.sha1(page_id.encode()).hexdigest()[:12]


def write_page(out: Path, page: Page) -> None:
    folder = out / page.corpus / safe_id(page.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(page.html)
    data: dict[str, Any] = asdict(page)
    data.pop("html")
    data["with"] = data.pop("with_")
    data["group"] = GROUPS.get(page.language or "", "other")
    data["split"] = split_of(page.corpus, page.id)
    (folder / "expected.json").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                          encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=Path, required=True,
                        help="folder of <owner>+<name>/repo bare git copies")
    parser.add_argument("--out", type=Path,
                        default=Path(os.environ.get("AUTONEWS_CORPORA") or DEFAULT_OUT))
    args = parser.parse_args(argv)
    counts: Counter[str] = Counter()
    manifest: dict[str, str] = {}
    builders = (("mozilla/readability", readability_pages),
                ("AndyTheFactory/newspaper4k", newspaper_pages),
                ("adbar/trafilatura", trafilatura_pages),
                ("postlight/parser", postlight_pages))
    seen: set[str] = set()
    for repo, build in builders:
        try:
            snap = Snapshot(args.snapshots, repo)
        except FileNotFoundError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        manifest[repo] = snap.commit
        for page in build(snap):
            write_page(args.out, page)
            seen.add(page.id)
            counts[page.corpus] += 1
    try:
        snap = Snapshot(args.snapshots, "adbar/htmldate")
        manifest["adbar/htmldate"] = snap.commit
        for page in htmldate_pages(snap, seen):
            write_page(args.out, page)
            counts[page.corpus] += 1
    except FileNotFoundError as exc:
        print(f"skipped: {exc}", file=sys.stderr)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    for corpus, count in sorted(counts.items()):
        print(f"{corpus}: {count} pages")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
