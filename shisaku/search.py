"""The search index: every page's searchable text, as term shards and text chunks per language."""

from __future__ import annotations

import hashlib
import html
import json
import operator
import re
import unicodedata
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain, groupby, repeat
from typing import NamedTuple

# static/search.js reads these files; it refuses an index of another format (2: katakana
# folded to hiragana, and a document's text in blocks).
FORMAT = 2

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
# Katakana with a hiragana twin (ァ-ヶ, ヽヾ), folded to it, so that a reading typed in either
# script finds the other (Groonga's unify_kana): ー, ヷ-ヺ and the small ㇰ-ㇿ have no twin.
KATAKANA = re.compile("[\u30a1-\u30f6\u30fd\u30fe]+")
TO_HIRAGANA = {c: c - 0x60 for c in [*range(0x30A1, 0x30F7), 0x30FD, 0x30FE]}

# Ranking is BM25's: search.js multiplies each weight stored here by the term's idf. The
# length weights are normalized to is fixed, not the corpus average, so that a page's weights
# depend on that page alone.
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
# Between the text of two blocks: search.js takes an excerpt from one block, so that a label
# and the value beside it ("所管課", "産業政策課") never read as one sentence. A line break is
# whitespace to the tokenizer, and collapsed text has none of its own.
BLOCK = "\n"
EDGE = "\0"  # where a tag was, while the text is decoded (taken out of the page first)
EDGES = re.compile(r" ?\0[ \0]*")


class Document(NamedTuple):
    """One page's searchable text: url (inside the site, without base path, e.g.
    "ja/projects/foo/"), lang ("ja", "en"...), title, and text: the text of each block (a
    heading, a paragraph, a cell...), whitespace collapsed, the blocks joined by BLOCK.

    A plain tuple of four str, as small as it gets when the render workers send it back."""

    url: str
    lang: str
    title: str
    text: str


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
    body = INLINE_TAGS.sub("", without_skipped(html_text[open_end + 1 : end]))
    title_text = collapse(html.unescape(title.group(1))) if title else ""
    return Document(url, lang, title_text, blocks(body))


def blocks(body: str) -> str:
    """The text of HTML without its tags, each block's whitespace collapsed, blocks joined by
    BLOCK: regular expressions over the whole page, not a call for each of its hundred tags."""
    text = collapse(html.unescape(TAGS.sub(EDGE, body.replace(EDGE, ""))))
    return EDGES.sub(BLOCK, text).strip(BLOCK)


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
    """NFKC (Ａ１ -> A1, ｶﾅ -> カナ), lower case, katakana as hiragana (カナ -> かな).
    str.lower and JavaScript's toLowerCase both apply Unicode's default full mapping, not a
    locale's, so the two agree."""
    # unicodedata.normalize is slow and its check fast, and most Japanese text is NFKC but for
    # its full-width ASCII and spaces, whose NFKC is simple.
    if not unicodedata.is_normalized("NFKC", text):
        text = FULL_WIDTH.sub(half_width, text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return KATAKANA.sub(hiragana, text.lower())


def half_width(match: re.Match[str]) -> str:
    return match.group().translate(HALF_WIDTH)


def hiragana(match: re.Match[str]) -> str:
    return match.group().translate(TO_HIRAGANA)


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

    def sizes(self) -> Counter[str]:
        """The bytes the terms of each first key take in the shards, about."""
        sizes: Counter[str] = Counter()
        for term, numbers in self.numbers.items():
            sizes[first_key(term)] += len(numbers) * POSTING_BYTES + TERM_BYTES
        return sizes

    def shards(self, layout: Layout) -> list[bytes]:
        """Every shard file of the layout, in order (a shard no term falls in is {})."""
        groups: list[list[str]] = [[] for _ in range(layout.shards)]
        for term in self.numbers:
            groups[layout.shard_of(term)].append(term)
        return [self.shard(sorted(group)) for group in groups]

    def shard(self, terms: list[str]) -> bytes:
        """A shard file, {term: [[document number gaps], "weights"]}: small gaps are short in
        JSON, and a weight is one character."""
        entries = {}
        for term in terms:
            numbers = self.numbers[term]
            gaps = [numbers[0], *map(operator.sub, numbers[1:], numbers)]
            entries[term] = [gaps, self.weights[term].translate(WEIGHT_CHARS).decode("ascii")]
        return dumps(entries)


def postings_of(documents: list[Document]) -> Postings:
    """The postings of documents numbered by their place in the list."""
    postings = Postings()
    # Each page is posted as soon as it is analysed: the counts of all of them would take more
    # memory than the whole index.
    for number, document in enumerate(documents):
        postings.append(number, *analyse(document))
    return postings


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


# ---- text chunks -----------------------------------------------------------------------------


def chunk_layout(documents: list[Document]) -> list[tuple[int, int]]:
    """(first document, documents per chunk) of each section of the site (ja/projects/...):
    a section's pages are alike in length, so its chunks are alike in size."""
    layout = []
    first = 0
    for _, group in groupby(documents, lambda document: section(document.url)):
        sizes = list(map(document_bytes, group))
        layout.append((first, per_chunk(sizes)))
        first += len(sizes)
    return layout


def chunk_spans(chunking: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """(first document, the one after the last) of each text chunk."""
    ends = [first for first, _ in chunking[1:]] + [count]
    return [
        (first, min(first + size, end))
        for (start, size), end in zip(chunking, ends, strict=True)
        for first in range(start, end, size)
    ]


def section(url: str) -> str:
    """ "ja/projects/foo/" -> "ja/projects"."""
    return "/".join(url.split("/", 2)[:2])


def document_bytes(document: Document) -> int:
    """About its bytes in a text chunk."""
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


# ---- the index -------------------------------------------------------------------------------


def build(documents: list[Document]) -> dict[str, bytes]:
    """Every file of the search index: path inside the site (e.g. "search/ja/...json") -> bytes,
    in path order; the same for the same documents in any order."""
    by_lang: defaultdict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_lang[document.lang].append(document)
    files: dict[str, bytes] = {}
    for lang, of_lang in by_lang.items():
        files.update(build_language(lang, of_lang))
    return dict(sorted(files.items()))


def build_language(lang: str, documents: list[Document]) -> dict[str, bytes]:
    """Every file of one language's index (search/{lang}/), in path order: it depends on the
    documents of that language only, so languages may be built apart, at once."""
    ordered = sorted(documents, key=operator.attrgetter("url"))  # a document's number
    if not ordered:
        return {}
    folder = f"search/{lang}/"
    postings = postings_of(ordered)
    layout = layout_of(postings.sizes())
    files = {f"{folder}terms/{n}.json": shard for n, shard in enumerate(postings.shards(layout))}
    del postings
    chunking = chunk_layout(ordered)
    for first, end in chunk_spans(chunking, len(ordered)):
        files[f"{folder}docs/{first}.json"] = chunk_bytes(ordered[first:end])
    files[f"{folder}meta.json"] = meta(files, len(ordered), chunking, layout)
    return dict(sorted(files.items()))


def meta(
    files: dict[str, bytes], count: int, chunking: list[tuple[int, int]], layout: Layout
) -> bytes:
    """meta.json: what search.js needs to find the other files, and an id of their contents
    that it adds to their URLs, so that no cache mixes files of two builds."""
    ids = hashlib.sha256()
    for path in sorted(files):
        ids.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return dumps(
        {
            "format": FORMAT,
            "id": ids.hexdigest()[:16],
            "docs": count,
            "chunks": chunking,
            "shards": layout.shards,
            "split": layout.split,
        }
    )


def dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
