"""The search index: every page's searchable text, as term shards and text chunks per language."""

from __future__ import annotations

import hashlib
import html
import json
import operator
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain, groupby, repeat

# static/search.js reads these files; it refuses an index of another format.
FORMAT = 1

# Han (with 々 〆 〇 〻), Hiragana and Katakana (with ー): a run of these gives overlapping
# bigrams, as Lucene's CJKBigram and Groonga's TokenBigram do, so that 融資 finds 資金融資事業
# with no dictionary. Ranges written out, not Unicode scripts, so that Python and
# static/search.js (which has the same list) agree whatever their Unicode versions.
CJK = (
    r"\u3005-\u3007\u303b\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U0001b000-\U0001b16f\U00020000-\U000323af"
)
# Other runs of letters and digits are words: for str patterns \w is exactly Unicode's letters
# (L) and numbers (N) and "_", which is search.js's [\p{L}\p{N}]. Everything else separates.
RUNS = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")
CJK_RUNS = re.compile(rf"[{CJK}]+")
WORDS = re.compile(rf"[^\W_{CJK}]+")
CJK_CHAR = re.compile(rf"[{CJK}]")
FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]+")
HALF_WIDTH = {0x3000: " "} | {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # their NFKC

# Ranking is BM25's: search.js multiplies each weight stored here by the term's idf. The
# length weights are normalized to is fixed, not the corpus average, so that editing one
# page changes no other page's weights (and so few files).
K1, B = 1.2, 0.75
LENGTH = 200  # terms in a typical page
TITLE_BOOST = 2  # a term of the title counts as this many more occurrences
SCALE = 10  # weights are integers from 1 to 22, stored as the characters "A" to "V"
WEIGHT_CHARS = bytes(range(64, 256)) + bytes(64)  # for bytes.translate: weight w -> chr(64 + w)

# Sizes to aim at. A query fetches meta.json, a term shard per term (a few when a single CJK
# character or two letters begin many terms), and a text chunk per result shown.
SHARD_BYTES = 24_000
CHUNK_BYTES = 8_000
MAX_CHUNK = 64  # documents in a text chunk at most
POSTING_BYTES, TERM_BYTES = 4, 12  # in a shard, about

SKIP, SKIP_END = "<!--search:skip-->", "<!--search:end-->"
TITLE = re.compile(r'\sdata-search-title="([^"]*)"')
# Phrasing elements join their text to their neighbours'; every other tag separates words.
INLINE_TAGS = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong"
    r"|sub|sup|time|u|var|wbr)\b[^>]*>"
)
TAGS = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


@dataclass(frozen=True)
class Document:
    url: str  # inside the site, without base path, e.g. "ja/projects/foo/"
    lang: str  # "ja", "en", ...
    title: str
    text: str  # the searchable text, whitespace collapsed


# ---- pages -> documents ----------------------------------------------------------------------


def extract(html_text: str, url: str, lang: str) -> Document | None:
    """The searchable text of one rendered page, or None when the page is not to be found by search."""
    start = html_text.find("<main")
    open_end = html_text.find(">", start)
    end = html_text.rfind("</main>")
    if start < 0 or open_end < 0 or end < open_end:
        return None
    tag = html_text[start:open_end]
    if " data-search-body" not in tag:
        return None
    title = TITLE.search(tag)
    body = TAGS.sub(" ", INLINE_TAGS.sub("", without_skipped(html_text[open_end + 1 : end])))
    return Document(
        url,
        lang,
        collapse(html.unescape(title.group(1))) if title else "",
        collapse(html.unescape(body)),
    )


def without_skipped(body: str) -> str:
    """The HTML without what is between <!--search:skip--> and <!--search:end-->."""
    parts = []
    at = 0
    while (skip := body.find(SKIP, at)) >= 0:
        parts.append(body[at:skip])
        end = body.find(SKIP_END, skip)
        at = len(body) if end < 0 else end + len(SKIP_END)
    parts.append(body[at:])
    return " ".join(parts)


def collapse(text: str) -> str:
    return " ".join(text.split())


# ---- text -> terms ---------------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFKC (Ａ１ -> A1, ｶﾅ -> カナ), then lower case. str.lower and JavaScript's toLowerCase
    both apply Unicode's default full mapping, not a locale's, so the two agree."""
    # unicodedata.normalize is slow (0.3 s for 10,000 Japanese pages): the checks are fast, and
    # most Japanese text is NFKC but for its full-width ASCII and spaces, whose NFKC is simple.
    if not unicodedata.is_normalized("NFKC", text):
        text = FULL_WIDTH.sub(half_width, text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return text.lower()


def half_width(match: re.Match[str]) -> str:
    return match.group().translate(HALF_WIDTH)


def terms(text: str) -> list[str]:
    """The index terms of a text, in order (the same rules as search.js)."""
    found: list[str] = []
    for cjk, word in RUNS.findall(normalize(text)):
        if word:
            found.append(word)
        else:
            found.extend(map(operator.add, cjk, cjk[1:]))  # overlapping bigrams
            # The run's last character too, as Groonga does: a one-character query matches
            # the terms it begins, and so finds a character that ends a run.
            found.append(cjk[-1])
    return found


def term_counts(text: str) -> Counter[str]:
    """Counter(terms(text)), in C-level loops: 10,000 Japanese pages have 3.5 million bigrams."""
    normal = normalize(text)
    counts = Counter(WORDS.findall(normal))
    runs = CJK_RUNS.findall(normal)
    counts.update(chain.from_iterable(map(map, repeat(operator.add), runs, map(TAIL, runs))))
    counts.update(map(LAST, runs))
    return counts


TAIL, LAST = operator.itemgetter(slice(1, None)), operator.itemgetter(-1)


@cache
def is_cjk(character: str) -> bool:
    return CJK_CHAR.match(character) is not None


def first_key(term: str) -> str:
    """What places a term in a shard: a CJK term's first character, another term's first
    two, so that every term a prefix query matches (one CJK character, two or more letters)
    is in one shard, or in the few a crowded key is split into."""
    return term[:1] if is_cjk(term[0]) else term[:2]


def second_key(term: str) -> str:
    """What places a term among the shards of a crowded first key."""
    return term[:2] if is_cjk(term[0]) else term[:3]


@cache
def fnv1a(key: str) -> int:
    """FNV-1a over the UTF-16 code units of a key, as search.js computes it."""
    data = key.encode("utf-16-le")
    value = 0x811C9DC5
    for i in range(0, len(data), 2):
        value = ((value ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return value


@dataclass(frozen=True)
class Layout:
    """How many term shards, and the first keys split over several (each over a power of two)."""

    shards: int
    split: dict[str, int]

    def shard_of(self, term: str) -> int:
        first = first_key(term)
        spread = self.split.get(first)
        place = fnv1a(first) + (fnv1a(second_key(term)) % spread if spread else 0)
        return place % self.shards


# ---- documents -> files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Analysed:
    """A document, its distinct terms and the weight of each (in the same order). The terms are
    kept as one string: as hundreds of strings a page, 10,000 pages would take 250 MB."""

    document: Document
    joined_terms: str  # joined by TERMS_JOINER, which no term has
    weights: bytes

    @property
    def terms(self) -> list[str]:
        return self.joined_terms.split(TERMS_JOINER) if self.joined_terms else []


TERMS_JOINER = "\x01"


def analyse(document: Document) -> tuple[Counter[str], bytes]:
    """The number of times each term is in the document, and the weight of each."""
    counts = term_counts(document.text)
    length = counts.total()
    for term in terms(document.title):
        counts[term] += TITLE_BOOST
    norm = K1 * (1 - B + B * length / LENGTH)
    by_count = {count: weight(count, norm) for count in set(counts.values())}
    return counts, bytes(map(by_count.__getitem__, counts.values()))


def weight(count: int, norm: float) -> int:
    """BM25's term-frequency factor, scaled to a small integer."""
    return max(1, round(SCALE * count * (K1 + 1) / (count + norm)))


class Postings:
    """For each term, the numbers of the documents that have it (ascending) and its weights."""

    def __init__(self) -> None:
        # Arrays of 4-byte numbers: as lists of ints, 4 million postings would take 150 MB.
        self.numbers: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
        self.weights: defaultdict[str, bytearray] = defaultdict(bytearray)

    def append(self, number: int, doc_terms: Iterable[str], weights: bytes) -> None:
        """Add a document numbered after every other one: C-level loops, for millions of terms."""
        deque(map(array.append, map(self.numbers.__getitem__, doc_terms), repeat(number)), 0)
        deque(map(bytearray.append, map(self.weights.__getitem__, doc_terms), weights), 0)

    def insert(self, number: int, doc_terms: Iterable[str], weights: bytes) -> None:
        """Add a document anywhere in the order."""
        for term, w in zip(doc_terms, weights, strict=True):
            numbers = self.numbers[term]
            at = bisect_left(numbers, number)
            numbers.insert(at, number)
            self.weights[term].insert(at, w)

    def remove(self, number: int, doc_terms: Iterable[str]) -> None:
        for term in doc_terms:
            numbers = self.numbers[term]
            at = bisect_left(numbers, number)
            del numbers[at], self.weights[term][at]
            if not numbers:
                del self.numbers[term], self.weights[term]

    def layout(self) -> Layout:
        """A power of two of shards of about SHARD_BYTES; a first key with more than that is
        split over a power of two of them (a query for 事業 needs one; for 事, those few)."""
        sizes: Counter[str] = Counter()
        for term, numbers in self.numbers.items():
            sizes[first_key(term)] += len(numbers) * POSTING_BYTES + TERM_BYTES
        shards = power_of_two(sum(sizes.values()) / SHARD_BYTES)
        split = {
            key: min(power_of_two(size / SHARD_BYTES), shards)
            for key, size in sorted(sizes.items())
            if size > SHARD_BYTES and shards > 1
        }
        return Layout(shards, split)

    def shard(self, shard_terms: list[str]) -> bytes:
        """{term: [[document number gaps], "weights"]}: small gaps are short in JSON."""
        entries = {}
        for term in sorted(shard_terms):
            numbers = self.numbers[term]
            gaps = [numbers[0], *map(operator.sub, numbers[1:], numbers)]
            entries[term] = [gaps, self.weights[term].translate(WEIGHT_CHARS).decode("ascii")]
        return dumps(entries)


def power_of_two(at_least: float) -> int:
    count = 1
    while count < at_least:
        count *= 2
    return count


class Language:
    """The index of one language's documents; a document's number is its place in URL order."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.folder = f"search/{lang}/"
        self.analysed: dict[str, Analysed] = {}
        self.urls: list[str] = []
        self.postings = Postings()
        self.layout = Layout(0, {})
        self.chunking: list[tuple[int, int]] = []

    def replace(self, changed: list[Document], removed: set[str]) -> dict[str, bytes]:
        """Apply the changes; the files that may differ from before: all of them when pages
        come or go or the layout changes, else the shards and the chunks the changes touch."""
        fresh = {document.url: document for document in changed}
        if removed or fresh.keys() - self.analysed.keys():
            for url in removed:
                self.analysed.pop(url, None)
            self.urls = sorted(self.analysed.keys() | fresh.keys())
            self.postings = Postings()
            # Each new page is posted as soon as it is analysed: its counts, kept for every
            # page, would take more memory than the whole index.
            for number, url in enumerate(self.urls):
                if url in fresh:
                    counts, weights = analyse(fresh[url])
                    self.postings.append(number, counts, weights)
                    self.analysed[url] = Analysed(fresh[url], TERMS_JOINER.join(counts), weights)
                else:
                    old = self.analysed[url]
                    self.postings.append(number, old.terms, old.weights)
            return self.encode(None, None)
        touched_terms: set[str] = set()
        touched_docs: set[int] = set()
        for url, document in fresh.items():
            old = self.analysed[url]
            number = bisect_left(self.urls, url)
            counts, weights = analyse(document)
            self.postings.remove(number, old.terms)
            self.postings.insert(number, counts, weights)
            self.analysed[url] = Analysed(document, TERMS_JOINER.join(counts), weights)
            touched_terms.update(old.terms, counts)
            touched_docs.add(number)
        return self.encode(touched_terms, touched_docs)

    def encode(
        self, touched_terms: set[str] | None, touched_docs: set[int] | None
    ) -> dict[str, bytes]:
        layout, chunking = self.postings.layout(), self.chunk_layout()
        if (layout, chunking) != (self.layout, self.chunking):
            touched_terms = touched_docs = None
        self.layout, self.chunking = layout, chunking
        out: dict[str, bytes] = {}
        wanted = None if touched_terms is None else {layout.shard_of(t) for t in touched_terms}
        groups: dict[int, list[str]] = {}
        for term in self.postings.numbers:
            shard = layout.shard_of(term)
            if wanted is None or shard in wanted:
                groups.setdefault(shard, []).append(term)
        for shard in range(layout.shards) if wanted is None else sorted(wanted):
            out[f"{self.folder}terms/{shard}.json"] = self.postings.shard(groups.get(shard, []))
        chunks = self.chunks()
        if touched_docs is not None:
            chunks = {c: chunks[c] for c in sorted({self.chunk_of(n) for n in touched_docs})}
        for first, end in chunks.items():
            documents = [self.analysed[url].document for url in self.urls[first:end]]
            out[f"{self.folder}docs/{first}.json"] = chunk_bytes(documents)
        return out

    def chunk_layout(self) -> list[tuple[int, int]]:
        """(first document, documents per chunk) of each section of the site (ja/projects/...):
        a section's pages are alike in length, so its chunks are alike in size."""
        layout = []
        first = 0
        for _, urls in groupby(self.urls, section):
            sizes = [document_bytes(self.analysed[url].document) for url in urls]
            layout.append((first, per_chunk(sizes)))
            first += len(sizes)
        return layout

    def chunks(self) -> dict[int, int]:
        """The text chunks: first document -> the one after the last."""
        ends = [first for first, _ in self.chunking[1:]] + [len(self.urls)] * bool(self.chunking)
        return {
            first: min(first + size, end)
            for (start, size), end in zip(self.chunking, ends, strict=True)
            for first in range(start, end, size)
        }

    def chunk_of(self, number: int) -> int:
        start, size = self.chunking[bisect_right(self.chunking, (number, MAX_CHUNK)) - 1]
        return start + (number - start) // size * size

    @property
    def meta_path(self) -> str:
        return f"{self.folder}meta.json"

    def paths(self) -> set[str]:
        """Every file of the language, as last encoded."""
        shards = {f"{self.folder}terms/{s}.json" for s in range(self.layout.shards)}
        chunks = {f"{self.folder}docs/{c}.json" for c in self.chunks()}
        return {self.meta_path} | shards | chunks

    def meta(self, digests: dict[str, bytes]) -> bytes:
        """meta.json: what search.js needs to find the files, and an id of their contents that
        it adds to their URLs, so that no cache mixes files of two builds."""
        ids = hashlib.sha256()
        for path in sorted(self.paths() - {self.meta_path}):
            ids.update(path.encode() + b"\0" + digests[path])
        meta = {
            "format": FORMAT,
            "id": ids.hexdigest()[:16],
            "docs": len(self.urls),
            "chunks": self.chunking,
            "shards": self.layout.shards,
            "split": self.layout.split,
        }
        return dumps(meta)


def section(url: str) -> str:
    """ "ja/projects/foo/" -> "ja/projects"."""
    return "/".join(url.split("/", 2)[:2])


def document_bytes(document: Document) -> int:
    return len(document.url) + len(document.title.encode()) + len(document.text.encode()) + 12


def per_chunk(sizes: list[int]) -> int:
    """A power of two of documents that makes chunks of about CHUNK_BYTES."""
    average = sum(sizes) / len(sizes)
    count = 1
    while count < MAX_CHUNK and count * 2 * average <= CHUNK_BYTES:
        count *= 2
    return count


def chunk_bytes(documents: list[Document]) -> bytes:
    """[[url, title, text], ...]: the titles and excerpts of the results shown."""
    return dumps([[d.url, d.title, d.text] for d in documents])


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Index:
    """The search index of a set of documents, kept in memory so that a change of a few pages
    rewrites only the files it changes; its files are always those `build` gives."""

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self.languages: dict[str, Language] = {}
        self.files: dict[str, bytes] = {}
        self.digests: dict[str, bytes] = {}
        self.replace(documents, ())

    def replace(
        self, documents: Iterable[Document], urls_removed: Iterable[str] = ()
    ) -> dict[str, bytes | None]:
        """Add or update documents, remove others by URL; the files whose bytes changed, with
        None for a file that is no more."""
        changed: dict[str, list[Document]] = {}
        for document in documents:
            changed.setdefault(document.lang, []).append(document)
        removed: dict[str, set[str]] = {}
        for url in urls_removed:
            for lang, language in self.languages.items():
                if url in language.analysed:
                    removed.setdefault(lang, set()).add(url)
        out: dict[str, bytes | None] = {}
        for lang in sorted(changed.keys() | removed.keys()):
            out.update(self.replace_in(lang, changed.get(lang, []), removed.get(lang, set())))
        return out

    def replace_in(
        self, lang: str, changed: list[Document], removed: set[str]
    ) -> dict[str, bytes | None]:
        language = self.languages.setdefault(lang, Language(lang))
        before = language.paths()
        written = language.replace(changed, removed)
        after = language.paths()
        if not language.analysed:  # no page of this language is searchable any more
            del self.languages[lang]
            written, after = {}, set()
        out: dict[str, bytes | None] = {p: None for p in before - after if p in self.files}
        out.update((p, c) for p, c in written.items() if self.files.get(p) != c)
        for path, content in out.items():
            self.store(path, content)
        if language.analysed:
            meta = language.meta(self.digests)
            if self.files.get(language.meta_path) != meta:
                out[language.meta_path] = meta
                self.store(language.meta_path, meta)
        return out

    def store(self, path: str, content: bytes | None) -> None:
        if content is None:
            self.files.pop(path, None)
            self.digests.pop(path, None)
        else:
            self.files[path] = content
            self.digests[path] = hashlib.sha256(content).digest()


def build(documents: list[Document]) -> dict[str, bytes]:
    """Every file of the search index: path inside the site (e.g. "search/ja/...json") -> bytes."""
    ordered = sorted(documents, key=lambda d: (d.lang, d.url))
    return dict(sorted(Index(ordered).files.items()))
