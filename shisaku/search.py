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
from itertools import accumulate, chain, groupby, pairwise, repeat
from typing import Any

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


class Document(tuple[str, str, bytes, bytes]):
    """One page's searchable text: url (inside the site, without base path, e.g.
    "ja/projects/foo/"), lang ("ja", "en"...), title, and text (whitespace collapsed).

    A plain tuple underneath, with the title and text kept as UTF-8: the build cache keeps
    20,000 of them from one build to the next, and a tuple of bytes is copied by pickle, where
    a dataclass of str cost an object's state each and 20 MB to encode and decode each way. A
    rebuild decodes only the few it analyses or writes a chunk of."""

    __slots__ = ()

    def __new__(cls, url: str, lang: str, title: str, text: str) -> Document:
        return tuple.__new__(cls, (url, lang, title.encode(), text.encode()))

    url = property(operator.itemgetter(0))
    lang = property(operator.itemgetter(1))

    @property
    def title(self) -> str:
        return self[2].decode()

    @property
    def text(self) -> str:
        return self[3].decode()

    def __repr__(self) -> str:
        return f"Document({self.url!r}, {self.lang!r}, {self.title!r}, {self.text!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # made again by tuple.__new__ (C), neither encoded nor decoded
        return tuple.__new__, (Document, tuple(self))


# A document from its parts (url, lang, title and text as UTF-8), in C: the cache makes 20,000
new_document = partial(tuple.__new__, Document)

Columns = tuple[list[str], list[str], list[bytes], list[bytes]]


def pack(documents: list[Document]) -> Columns:
    """Documents as four lists (urls, langs, titles, texts), which pickle writes and reads at
    memory speed: no object of ours to reduce and make again, fewer to memoize."""
    urls, langs, titles, texts = (list(map(operator.itemgetter(i), documents)) for i in range(4))
    return urls, langs, titles, texts


def unpack(columns: Columns) -> list[Document]:
    return list(map(new_document, zip(*columns, strict=True)))


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


def analyse(document: Document) -> tuple[Counter[str], bytes]:
    """The number of times each term is in the document, and the weight of each."""
    counts = term_counts(document.text)
    length = counts.total()
    for term in terms(document.title):
        counts[term] += TITLE_BOOST
    norm = K1 * (1 - B + B * length / LENGTH)
    by_count = {count: weight(count, norm) for count in set(counts.values())}
    return counts, bytes(map(by_count.__getitem__, counts.values()))


def term_weights(document: Document) -> dict[str, int]:
    """The weight of each term of the document."""
    counts, weights = analyse(document)
    return dict(zip(counts, weights, strict=True))


def weight(count: int, norm: float) -> int:
    """BM25's term-frequency factor, scaled to a small integer."""
    return max(1, round(SCALE * count * (K1 + 1) / (count + norm)))


TERMS_JOINER = "\x01"  # no term has it


@dataclass(frozen=True)
class FlatPostings:
    """The postings of a few terms (one shard's) as four flat buffers, the form the index keeps
    between builds: pickling them copies memory, where an array per term took 0.2 s at 20,000
    pages."""

    joined_terms: str  # sorted, joined by TERMS_JOINER
    ends: array[int]  # where each term's postings end in numbers and weights
    numbers: array[int]
    weights: bytes

    def spans(self) -> Iterable[tuple[str, int, int]]:
        """(term, start, end) of each term, in order."""
        if not self.joined_terms:
            return ()
        terms = self.joined_terms.split(TERMS_JOINER)
        starts_ends = pairwise(chain((0,), self.ends))
        return ((term, start, end) for term, (start, end) in zip(terms, starts_ends, strict=True))

    def shard(self) -> bytes:
        """The shard file, {term: [[document number gaps], "weights"]}: small gaps are short in
        JSON."""
        entries = {}
        for term, start, end in self.spans():
            numbers = self.numbers[start:end]
            gaps = [numbers[0], *map(operator.sub, numbers[1:], numbers)]
            weights = self.weights[start:end].translate(WEIGHT_CHARS).decode("ascii")
            entries[term] = [gaps, weights]
        return dumps(entries)


class Postings:
    """For each term, the numbers of the documents that have it (ascending) and its weights:
    the form to change them in."""

    def __init__(self) -> None:
        # Arrays of 4-byte numbers: as lists of ints, 4 million postings would take 150 MB.
        self.numbers: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
        self.weights: defaultdict[str, bytearray] = defaultdict(bytearray)

    def extend(self, flats: Iterable[FlatPostings]) -> None:
        """Add the postings of terms it does not have yet."""
        for flat in flats:
            for term, start, end in flat.spans():
                self.numbers[term] = flat.numbers[start:end]
                self.weights[term] = bytearray(flat.weights[start:end])

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

    def renumber(self, new_numbers: list[int]) -> None:
        """Give each document its new number (which keeps their order)."""
        for term, numbers in self.numbers.items():
            self.numbers[term] = array("I", map(new_numbers.__getitem__, numbers))

    def sizes(self, terms: Iterable[str]) -> Counter[str]:
        """The bytes these terms take in the shards of their first keys, about."""
        sizes: Counter[str] = Counter()
        for term in terms:
            numbers = self.numbers.get(term)
            if numbers:
                sizes[first_key(term)] += len(numbers) * POSTING_BYTES + TERM_BYTES
        return sizes

    def flat(self, terms: list[str]) -> FlatPostings:
        """The postings of these terms (sorted), as FlatPostings."""
        ends = array("I", accumulate(len(self.numbers[term]) for term in terms))
        numbers = array("I", b"".join(self.numbers[term].tobytes() for term in terms))
        weights = b"".join(self.weights[term] for term in terms)
        return FlatPostings(TERMS_JOINER.join(terms), ends, numbers, weights)

    def flat_shards(self, layout: Layout, shards: Iterable[int]) -> dict[int, FlatPostings]:
        """Each of these shards as FlatPostings, with every term of it this has."""
        groups: dict[int, list[str]] = {shard: [] for shard in shards}
        for term in self.numbers:
            group = groups.get(layout.shard_of(term))
            if group is not None:
                group.append(term)
        return {shard: self.flat(sorted(group)) for shard, group in groups.items()}


def layout_of(sizes: Counter[str]) -> Layout:
    """A power of two of shards of about SHARD_BYTES; a first key with more than that is split
    over a power of two of them (a query for 事業 needs one; for 事, those few)."""
    shards = power_of_two(sum(sizes.values()) / SHARD_BYTES)
    split = {
        key: min(power_of_two(size / SHARD_BYTES), shards)
        for key, size in sorted(sizes.items())
        if size > SHARD_BYTES and shards > 1
    }
    return Layout(shards, split)


def power_of_two(at_least: float) -> int:
    count = 1
    while count < at_least:
        count *= 2
    return count


class Language:
    """The index of one language's documents; a document's number is its place in URL order.

    What it keeps is cheap to pickle: the documents (which the build cache holds anyway), the
    postings as FlatPostings per shard, and the sizes the layouts are made from. An edit
    analyses the old and the new text of the documents it changes, and rewrites the shards of
    the terms whose weights changed."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.folder = f"search/{lang}/"
        self.documents: dict[str, Document] = {}
        self.urls: list[str] = []
        self.document_sizes = array("I")  # document_bytes of each document, in URL order
        self.shards: list[FlatPostings] = []
        self.sizes: Counter[str] = Counter()  # the postings' bytes per first key
        self.layout = Layout(0, {})
        self.chunking: list[tuple[int, int]] = []

    def __getstate__(self) -> dict[str, Any]:
        # The documents as their titles and texts in URL order (their urls and language are
        # known): no Document pickled, and the bytes are those the build cache's documents
        # hold, which pickle writes once.
        state = vars(self).copy()
        documents = list(map(self.documents.__getitem__, self.urls))
        state["documents"] = pack(documents)[2:]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        titles, texts = state.pop("documents")
        vars(self).update(state)
        columns = self.urls, [self.lang] * len(self.urls), titles, texts
        self.documents = dict(zip(self.urls, unpack(columns), strict=True))

    def replace(self, changed: list[Document], removed: set[str]) -> dict[str, bytes]:
        """Apply the changes; the files that may differ from before: all of them when pages
        come or go or the layout changes, else the shards and the chunks the changes touch."""
        fresh = {document.url: document for document in changed}
        removed = {url for url in removed if url in self.documents} - fresh.keys()
        before = {url: self.documents[url] for url in fresh.keys() & self.documents.keys()}
        before.update((url, self.documents[url]) for url in removed)
        old_urls = self.urls
        for url in removed:
            del self.documents[url]
        self.documents.update(fresh)
        if removed or len(before) < len(fresh) or not self.shards:
            self.urls = sorted(self.documents)
            return self.rebuild(old_urls, before, fresh)
        return self.edit(before, fresh)

    def edit(self, before: dict[str, Document], fresh: dict[str, Document]) -> dict[str, bytes]:
        """Change documents in place (the numbers stay): only the shards of the terms whose
        weight in them changed (or that they gained or lost) are opened, unless the layout
        changes."""
        changes = []
        for url, document in fresh.items():
            old, new = term_weights(before[url]), term_weights(document)
            differ = [term for term in old.keys() | new.keys() if old.get(term) != new.get(term)]
            changes.append((bisect_left(self.urls, url), old, new, differ))
        touched = set(chain.from_iterable(differ for *_, differ in changes))
        shards = sorted({self.layout.shard_of(term) for term in touched})
        work = Postings()
        work.extend(self.shards[shard] for shard in shards)
        self.sizes.subtract(work.sizes(touched))
        for number, old, new, differ in changes:
            self.document_sizes[number] = document_bytes(self.documents[self.urls[number]])
            work.remove(number, [term for term in differ if term in old])
            gained = [term for term in differ if term in new]
            work.insert(number, gained, bytes(map(new.__getitem__, gained)))
        self.sizes.update(work.sizes(touched))
        self.sizes = +self.sizes  # without the first keys that have no terms left
        if layout_of(self.sizes) != self.layout:
            work.extend(flat for shard, flat in enumerate(self.shards) if shard not in shards)
            return self.regroup(work)
        for shard, flat in work.flat_shards(self.layout, shards).items():
            self.shards[shard] = flat
        return self.encode(shards, {number for number, *_ in changes})

    def rebuild(
        self, old_urls: list[str], before: dict[str, Document], fresh: dict[str, Document]
    ) -> dict[str, bytes]:
        """Pages come or go (or the index is new), so documents are numbered anew: every
        posting is taken out of its shard, those of the documents before removed, and those of
        the fresh ones added."""
        documents = map(self.documents.__getitem__, self.urls)
        self.document_sizes = array("I", map(document_bytes, documents))
        work = Postings()
        work.extend(self.shards)
        for url, document in before.items():
            work.remove(bisect_left(old_urls, url), analyse(document)[0])
        if old_urls:
            place = {url: number for number, url in enumerate(self.urls)}
            work.renumber([place.get(url, 0) for url in old_urls])  # 0: the removed ones
        add = work.insert if work.numbers else work.append  # appending is C loops
        # Each fresh page is posted as soon as it is analysed: the counts of all of them
        # would take more memory than the whole index.
        for number in sorted(map(partial(bisect_left, self.urls), fresh)):
            counts, weights = analyse(fresh[self.urls[number]])
            add(number, counts, weights)
        self.sizes = work.sizes(work.numbers)
        return self.regroup(work)

    def regroup(self, work: Postings) -> dict[str, bytes]:
        """Every posting in `work`: laid out anew, and every file encoded."""
        self.layout = layout_of(self.sizes)
        everything = range(self.layout.shards)
        self.shards = list(work.flat_shards(self.layout, everything).values())
        return self.encode(everything, None)

    def encode(self, shards: Iterable[int], touched_docs: set[int] | None) -> dict[str, bytes]:
        """The files of these shards, and of the chunks of these documents (of all of them
        when None or when the chunks are laid out anew)."""
        out = {f"{self.folder}terms/{shard}.json": self.shards[shard].shard() for shard in shards}
        chunking = self.chunk_layout()
        if chunking != self.chunking:
            touched_docs = None
        self.chunking = chunking
        chunks = self.chunks()
        if touched_docs is not None:
            chunks = {c: chunks[c] for c in sorted({self.chunk_of(n) for n in touched_docs})}
        for first, end in chunks.items():
            documents = [self.documents[url] for url in self.urls[first:end]]
            out[f"{self.folder}docs/{first}.json"] = chunk_bytes(documents)
        return out

    def chunk_layout(self) -> list[tuple[int, int]]:
        """(first document, documents per chunk) of each section of the site (ja/projects/...):
        a section's pages are alike in length, so its chunks are alike in size."""
        layout = []
        first = 0
        for _, urls in groupby(self.urls, section):
            end = first + sum(1 for _ in urls)
            layout.append((first, per_chunk(self.document_sizes[first:end])))
            first = end
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
    """About its bytes in a text chunk: its UTF-8 as kept."""
    return len(document.url) + len(document[2]) + len(document[3]) + 12


def per_chunk(sizes: array[int]) -> int:
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
    rewrites only the files it changes; its files are always those `build` gives. It keeps
    the digest of each file, not its bytes: `replace` gives the bytes of those that change."""

    def __init__(self) -> None:
        self.languages: dict[str, Language] = {}
        self.digests: dict[str, bytes] = {}  # path -> SHA-256 of every file

    def paths(self) -> list[str]:
        """Every file of the index, in order."""
        return sorted(self.digests)

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
                if url in language.documents:
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
        if not language.documents:  # no page of this language is searchable any more
            del self.languages[lang]
            written, after = {}, set()
        out: dict[str, bytes | None] = {p: None for p in before - after if p in self.digests}
        for path, content in written.items():
            digest = hashlib.sha256(content).digest()
            if self.digests.get(path) != digest:
                out[path] = content
                self.digests[path] = digest
        for path in out.keys() - written.keys():
            del self.digests[path]
        if language.documents:
            meta = language.meta(self.digests)
            digest = hashlib.sha256(meta).digest()
            if self.digests.get(language.meta_path) != digest:
                out[language.meta_path] = meta
                self.digests[language.meta_path] = digest
        return out


def build(documents: list[Document]) -> dict[str, bytes]:
    """Every file of the search index: path inside the site (e.g. "search/ja/...json") -> bytes."""
    ordered = sorted(documents, key=lambda d: (d.lang, d.url))
    files = Index().replace(ordered)
    return {path: content for path, content in sorted(files.items()) if content is not None}
