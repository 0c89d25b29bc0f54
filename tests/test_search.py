"""The search index (shisaku/search.py) and its reader (static/search.js).

The tokenizer's rules, the text taken from real pages, reproducible files, each language's
index apart from the others'; then, in Chromium, the real search.js: its tokenizer
against Python's, and its answers over small indexes against what the rules say they must be.
"""

from __future__ import annotations

import json
import pickle
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from shisaku import search
from shisaku.search import Document

pytest_plugins = ["tests.conftest_browser"]

# (text, its terms): NFKC, lower case, katakana as hiragana; CJK runs give bigrams and their
# last character, other letters and digits give words, everything else separates.
TERMS = [
    ("資金融資事業", ["資金", "金融", "融資", "資事", "事業", "業"]),
    ("JR東日本のSuica", ["jr", "東日", "日本", "本の", "の", "suica"]),
    ("ＡＢＣ１２３", ["abc123"]),  # full-width letters and digits
    ("令和６年度", ["令和", "和", "6", "年度", "度"]),
    ("ひらがなカタカナ", ["ひら", "らが", "がな", "なか", "かた", "たか", "かな", "な"]),
    ("データベース", ["でー", "ーた", "たべ", "べー", "ーす", "す"]),  # ー is in the run
    ("ﾃﾞｰﾀ", ["でー", "ーた", "た"]),  # half-width katakana, voiced mark composed by NFKC
    ("ショウテンガイ しょうてんがい", ["しょ", "ょう", "うて", "てん", "んが", "がい", "い"] * 2),
    ("ヴァヵヶヽヾ", ["ゔぁ", "ぁゕ", "ゕゖ", "ゖゝ", "ゝゞ", "ゞ"]),  # each has a hiragana twin
    ("ヷㇰヿ", ["ヷㇰ", "ㇰこ", "こと", "と"]),  # ヷ ㇰ have none; ヿ is コト (NFKC)
    ("人々", ["人々", "々"]),
    ("市 と 町", ["市", "と", "町"]),  # runs of one character
    ("融資、補助。", ["融資", "資", "補助", "助"]),
    ("融資　事業", ["融資", "資", "事業", "業"]),  # ideographic space
    ("融資🎉loan", ["融資", "資", "loan"]),  # emoji separate
    ("Hello_World-2023", ["hello", "world", "2023"]),
    ("Café CAFÉ", ["café", "café"]),
    ("㈱東京", ["株", "東京", "京"]),  # NFKC: (株)
    ("𠮷野家", ["𠮷野", "野家", "家"]),  # a Han character outside the BMP
    ("한국어 텍스트", ["한국어", "텍스트"]),  # Hangul: words
    ("中・小", ["中", "小"]),  # the middle dot separates
    ("", []),
]

# For the JavaScript tokenizer: the above and more that lower-case or normalize unusually.
TRICKY = [text for text, _ in TERMS] + [
    "ΟΔΟΣ ΣΟΦΟΣ",  # final sigma
    "İstanbul ẞ ǅ",  # dotted capital I, capital sharp s, a titlecase digraph
    "ﬁnance ｶﾞｲﾄﾞ ①②③ ㍻ ㌔",  # ligature, circled digits, squared words
    "Ⅻ章 ⅷ",  # Roman numerals
    "x\u0301y \u3099か",  # combining marks
    "١٢٣ ۴۵۶ हिन्दी",  # Arabic-Indic digits, Devanagari with vowel signs
    "〆切 〇〇 ゟ ヿ ゝゞヽヾ",
    "ァアヶヷヸヹヺ・ーヽヾㇰㇿ ｦｧｯｰｳﾞ ゔゕゖ ゙゚",  # the ends of the katakana folded and not
    "a\u200bb\u00adc",  # zero-width space, soft hyphen
    "\U0001b001\U0001f600\U00031350",  # hentaigana, emoji, CJK extension H
    "ｍｉｘｅｄ　全角　ＴＥＸＴ：１０％",
]


@pytest.mark.parametrize(("text", "expected"), TERMS, ids=[t or "empty" for t, _ in TERMS])
def test_terms(text, expected):
    assert search.terms(text) == expected


@given(st.text(alphabet=st.sampled_from("融資事業のデータｶﾞ々ー　 、。Loan ＡＢ１2x_é🎉𠮷\u0301")))
@settings(max_examples=300, deadline=None)
def test_term_counts_are_the_counts_of_terms(text):
    assert search.term_counts(text) == Counter(search.terms(text))


# ---- pages -> documents ----------------------------------------------------------------------


def extract_page(site: Path, url: str) -> Document | None:
    file = site / (url + "index.html" if url.endswith("/") or not url else url)
    return search.extract(file.read_text(encoding="utf-8"), url, url.split("/")[0])


def test_a_project_page_gives_its_name_texts_and_where_it_belongs(built_site):
    ja = extract_page(built_site, "ja/projects/chusho-kigyo-yushi/")
    assert ja is not None and ja.title == "中小企業資金融資事業"
    blocks = ja.text.split(search.BLOCK)
    for text in [
        "中小企業資金融資事業",
        "地域経済の活性化",  # policy
        "商工業の活性化及び新たな産業などの創出",  # basic project
        "産業政策課",  # division
    ]:
        assert text in blocks  # a block of its own, not run into its label
    for text in [
        "市が市内の融資を必要とする中小企業者等を金融機関にあっせんできる制度",  # summary
        "新たに22件の融資制度の活用があった。",  # what was done
    ]:
        assert any(block.startswith(text) for block in blocks)
    # The chart and the figures table are left out, and the labels every project page has.
    for text in ["1,769", "1,739", "事業費", "濃い棒が当該年度", "所管課", "事業概要", "取組み"]:
        assert text not in ja.text
    assert all(block and block == " ".join(block.split()) for block in blocks)
    en = extract_page(built_site, "en/projects/chusho-kigyo-yushi/")
    assert en is not None and en.title == "Small and Medium-Sized Enterprise Loan Programme"
    assert "loans" in en.text and "中小企業資金融資事業" in en.text  # the original name too
    assert "Division" not in en.text.split(search.BLOCK)


def test_policy_and_division_pages_give_their_own_text_not_their_tables(built_site):
    policy = extract_page(built_site, "ja/policies/chiiki-keizai/")
    assert policy is not None and policy.title == "地域経済の活性化 (令和5年度)"
    # each year's copy at reports/{year}/ is not a second result for the same text
    assert extract_page(built_site, "ja/reports/2023/policies/chiiki-keizai/") is None
    assert extract_page(built_site, "ja/reports/2023/divisions/sangyo-seisaku/") is None
    assert "さまざまな産業振興の支援とともに" in policy.text  # the approach
    assert "商工業の活性化及び新たな産業などの創出" in policy.text.split(search.BLOCK)
    assert "事業用地を求める企業に対し、情報提供やマッチングを図る。" in policy.text  # directions
    assert "中小企業資金融資事業" not in policy.text  # in the table of projects
    division = extract_page(built_site, "ja/divisions/sangyo-seisaku/")
    assert division is not None and division.title == "産業政策課 (令和5年度)"
    assert "この課が令和5年度に所管した事務事業は14件です。" in division.text
    assert "中小企業資金融資事業" not in division.text


def test_the_data_page_gives_its_files_but_not_their_sizes(built_site):
    data = extract_page(built_site, "en/data/")
    assert data is not None and "132225_projects.csv" in data.text
    assert " KB" not in data.text  # sizes change with the release time


@pytest.mark.parametrize(
    "url", ["", "ja/", "en/", "ja/projects/", "en/projects/", "ja/search/", "404.html"]
)
def test_listings_search_and_error_pages_are_not_searchable(built_site, url):
    assert extract_page(built_site, url) is None


def test_extract_decodes_entities_joins_inline_elements_and_keeps_blocks_apart():
    page = (
        '<html><main id="main" data-search-body data-search-title="A &amp; B &quot;C&quot;">'
        "<h1>A &amp; B</h1><p>融<strong>資</strong>事業<br>次</p><!--search:skip--><p>skipped</p>"
        "<!--search:end--><ul><li>one</li><li>two</li></ul><dl><dt>所管課</dt><dd>\n 産業\t政策課"
        "</dd></dl><table><tr><th>&lt;p&gt;</th><td>&#10;</td><td>\0x</td></tr></table>"
        "</main><footer>foot</footer></html>"
    )
    document = search.extract(page, "ja/x/", "ja")
    text = "\n".join(["A & B", "融資事業", "次", "one", "two", "所管課", "産業 政策課", "<p>", "x"])
    assert document == Document("ja/x/", "ja", 'A & B "C"', text)


def test_a_document_comes_back_from_a_render_worker_as_it_was():
    """Documents come back from the forked render workers pickled."""
    document = Document("ja/x/", "ja", "題 «A»", "融資事業 one\ttwo")
    assert (document.url, document.lang) == ("ja/x/", "ja")
    assert (document.title, document.text) == ("題 «A»", "融資事業 one\ttwo")
    back = pickle.loads(pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is Document and back == document
    assert back != Document("ja/x/", "ja", "題 «A»", "融資事業 one two")


# ---- documents -> files ----------------------------------------------------------------------


def corpus(rng: random.Random, count: int) -> list[Document]:
    """Small random pages in both languages, from few words so that terms repeat."""
    ja_words = ["資金", "融資", "事業", "支援", "商店街", "データ", "市", "の", "を", "令和６年度"]
    en_words = ["loan", "loans", "grant", "city", "support", "a", "the", "FY2023", "shop"]
    documents = []
    for i in range(count):
        lang = rng.choice(["ja", "en"])
        words = ja_words if lang == "ja" else en_words
        joiner = "" if lang == "ja" else " "
        title = joiner.join(rng.choices(words, k=rng.randint(1, 3)))
        text = joiner.join(rng.choices(words, k=rng.randint(0, 40)))
        section = rng.choice(["projects", "policies", "about"])
        documents.append(Document(f"{lang}/{section}/p{i}/", lang, title, f"{title} {text}"))
    return documents


@pytest.fixture
def small_files(monkeypatch):
    """Shards and chunks small enough that a small corpus has many, and split keys."""
    monkeypatch.setattr(search, "SHARD_BYTES", 300)
    monkeypatch.setattr(search, "CHUNK_BYTES", 400)


def test_the_files_are_the_same_whatever_the_order_of_the_documents(small_files):
    documents = corpus(random.Random(1), 80)
    files = search.build(documents)
    for seed in range(2, 6):
        shuffled = documents[:]
        random.Random(seed).shuffle(shuffled)
        assert search.build(shuffled) == files, seed
    assert search.build(documents[::-1]) == files
    same = [d for d in documents if d.lang == "en"]
    assert search.build_language("en", same[::-1]) == search.build_language("en", same)
    assert list(files) == sorted(files)
    for path, content in files.items():
        assert path.startswith(("search/ja/", "search/en/")) and path.endswith(".json"), path
        json.loads(content)
    meta = json.loads(files["search/ja/meta.json"])
    assert meta["format"] == search.FORMAT and meta["shards"] > 1 and meta["split"]


def test_an_index_with_no_documents_has_no_files():
    assert search.build([]) == {}


def test_each_language_is_indexed_apart_from_the_others(small_files):
    documents = corpus(random.Random(5), 80)
    files = search.build(documents)
    ja = search.build_language("ja", [d for d in documents if d.lang == "ja"])
    en = search.build_language("en", [d for d in documents if d.lang == "en"])
    assert files == dict(sorted({**ja, **en}.items()))
    assert set(ja) & set(en) == set() and all(p.startswith("search/ja/") for p in ja)
    # Another language's pages changed, gone or added: this one's files are the same bytes.
    fewer = [d for d in documents if d.lang == "ja" or d.url < "en/p"]
    more = [*fewer, Document("en/added/", "en", "Loan", "loan loans")]
    for others in (fewer, more):
        assert {p: c for p, c in search.build(others).items() if p.startswith("search/ja/")} == ja
    assert search.build_language("fr", []) == {}


def test_chunks_hold_fewer_pages_where_pages_are_longer(small_files):
    """A text chunk is about CHUNK_BYTES (400 here): eight short pages, or one long one."""
    short = [Document(f"ja/projects/p{i:02}/", "ja", f"題{i}", "短い文") for i in range(20)]
    long = [Document(f"ja/policies/q{i:02}/", "ja", f"題{i}", "長い文章" * 40) for i in range(3)]
    files = search.build(short + long)
    meta = json.loads(files["search/ja/meta.json"])
    assert meta["docs"] == 23 and meta["chunks"] == [[0, 1], [3, 8]]  # policies first (URLs)
    firsts = [0, 1, 2, 3, 11, 19]
    assert sorted(p for p in files if "/docs/" in p) == sorted(
        f"search/ja/docs/{n}.json" for n in firsts
    )
    docs = [json.loads(files[f"search/ja/docs/{first}.json"]) for first in firsts]
    assert [len(chunk) for chunk in docs] == [1, 1, 1, 8, 8, 4]
    assert [url for chunk in docs for url, _, _ in chunk] == sorted(d.url for d in short + long)


# ---- search.js in Chromium --------------------------------------------------------------------


def open_search_page(page: Page, site_url: str) -> None:
    """A page of the site with search.js loaded (the search page, with no query)."""
    page.goto(site_url + "ja/search/")
    page.wait_for_function("() => window.shisakuSearch !== undefined")


def test_javascript_gives_the_terms_python_gives(page: Page, site_url, watch):
    open_search_page(page, site_url)
    got = page.evaluate("(texts) => texts.map((t) => window.shisakuSearch.terms(t))", TRICKY)
    assert got == [search.terms(text) for text in TRICKY]
    assert not watch.report()


def serve_index(page: Page, site_url: str, files: dict[str, bytes]) -> str:
    """Serve an index built in the test under the site's origin; the URL of its folder."""
    folder = site_url + "test-index/"

    def fulfill(route) -> None:
        path = route.request.url.removeprefix(folder).split("?")[0]
        route.fulfill(status=200, body=files[path], content_type="application/json")

    page.route(lambda url: url.startswith(folder), fulfill)
    return folder


def run_queries(page: Page, bundle: str, queries: list[str]) -> dict[str, dict]:
    return page.evaluate(
        """async ([bundle, queries]) => {
            const out = {};
            for (const query of queries) {
                const found = await window.shisakuSearch.search(bundle, query);
                out[query] = {
                    total: found.total,
                    urls: found.results.map((r) => r.url),
                    titles: found.results.map((r) => r.title),
                    excerpts: found.results.map((r) => r.excerpt),
                };
            }
            return out;
        }""",
        [bundle, queries],
    )


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(term, matches as a prefix) of a query, as search.js's queryTerms."""
    found = search.terms(query)
    implied = {t[1] for t in found if len(t) == 2 and search.is_cjk(t[0])}
    wanted = []
    for term in dict.fromkeys(found):
        cjk = search.is_cjk(term[0])
        if cjk and len(term) == 1 and term in implied:
            continue
        wanted.append((term, len(term) == 1 if cjk else len(term) >= 2))
    return wanted


def expected_urls(documents: list[Document], query: str) -> set[str]:
    """The documents whose terms (title's and text's) match every term of the query."""
    wanted = query_terms(query)
    found = set()
    for d in documents:
        have = set(search.terms(d.title)) | set(search.terms(d.text))
        if wanted and all(any(t == w or (p and t.startswith(w)) for t in have) for w, p in wanted):
            found.add(d.url)
    return found


def test_javascript_finds_what_the_rules_say_over_many_shards(page: Page, site_url, small_files):
    documents = corpus(random.Random(3), 120)
    files = search.build(documents)
    bundle = serve_index(page, site_url, files)
    open_search_page(page, site_url)
    rng = random.Random(4)
    queries = {lang: set() for lang in ("ja", "en")}
    for d in documents:
        for term in search.terms(d.text)[:6]:
            queries[d.lang].update([term, term[:1], term[:2], term[:3]])
    for lang in queries:
        queries[lang].update(["融資 事業", "loan the", "令和6年度", "ﾃﾞｰﾀ", "LOANS", "ab", "zzz"])
        words = sorted(queries[lang])
        queries[lang].update(" ".join(rng.sample(words, 2)) for _ in range(20))
    for lang, lang_queries in queries.items():
        ordered = sorted(lang_queries)
        got = run_queries(page, f"{bundle}search/{lang}/", ordered)
        lang_documents = [d for d in documents if d.lang == lang]
        for query in ordered:
            expected = expected_urls(lang_documents, query)
            assert got[query]["total"] == len(expected), (lang, query)
            assert set(got[query]["urls"]) <= expected, (lang, query)
            assert len(got[query]["urls"]) == min(len(expected), 30), (lang, query)


TINY = [
    Document("ja/a/", "ja", "資金融資事業", "資金融資事業\n市が融資を行う。"),
    Document("ja/b/", "ja", "小口融資", "小口融資\n融資の利子。融資と融資と融資。"),
    Document("ja/c/", "ja", "補助金", "補助金\n融和を図る。"),
    Document("ja/d/", "ja", "資料", "ﾃﾞｰﾀ ベース 令和６年度"),
    Document("ja/e/", "ja", "出資", "出資"),
    # A project page as extract gives it: the name, its reading, the division, the summary.
    Document(
        "ja/f/",
        "ja",
        "商店街支援事業",
        "商店街支援事業\nしょうてんがいしえんじぎょう\n産業政策課\n"
        "市が商店街を支援する。商店会の活動に補助金を交付する。",
    ),
    Document("en/a/", "en", "Loan Program", "Loan Program The city gives loans."),
    Document("en/b/", "en", "Grants", "Grants A grant and a loan."),
    Document("en/c/", "en", "Apples", "Apples apple pie " + "filler words " * 60 + "apple end."),
    Document(
        "en/f/",
        "en",
        "Shop Support",
        "Shop Support\nIndustrial Policy Division\n"
        "The City supports shops. No. 1 grant goes to shopping streets. It stops there.",
    ),
    Document("en/t1/", "en", "Same", "Same text twice"),
    Document("en/t2/", "en", "Same", "Same text twice"),
]


@pytest.mark.parametrize(
    ("lang", "query", "urls"),
    [
        ("ja", "融資", ["ja/b/", "ja/a/"]),  # substring of 資金融資事業; more often in b
        ("ja", "融", {"ja/a/", "ja/b/", "ja/c/"}),  # a prefix: 融資, 融和
        ("ja", "資", {"ja/a/", "ja/b/", "ja/d/", "ja/e/"}),  # e: where it ends a run
        ("ja", "融資 補助", []),  # every term must match
        ("ja", "データ", ["ja/d/"]),  # half-width in the text
        ("ja", "令和6年度", ["ja/d/"]),  # full-width digit in the text
        ("ja", "でーた", ["ja/d/"]),  # hiragana finds katakana
        ("ja", "しょうてんがい", ["ja/f/"]),  # a reading in hiragana
        ("ja", "ショウテンガイ", ["ja/f/"]),  # in katakana
        ("ja", "ｼｮｳﾃﾝｶﾞｲｼｴﾝ", ["ja/f/"]),  # in half-width katakana
        ("en", "loan", ["en/a/", "en/b/"]),  # loans too; the title counts more
        ("en", "loans", ["en/a/"]),
        ("en", "LOAN", ["en/a/", "en/b/"]),
        ("en", "a", ["en/b/"]),  # one letter: the word a, not a prefix
        ("en", "ap", ["en/c/"]),
        ("en", "same", ["en/t1/", "en/t2/"]),  # ties in URL order
        ("en", "融資", []),
    ],
)
def test_javascript_answers_and_ranks_a_tiny_index(page: Page, site_url, lang, query, urls):
    bundle = serve_index(page, site_url, search.build(TINY))
    open_search_page(page, site_url)
    got = run_queries(page, f"{bundle}search/{lang}/", [query])[query]
    assert (set(got["urls"]) if isinstance(urls, set) else got["urls"]) == urls
    assert got["total"] == len(urls)


def marked(excerpt: list[dict]) -> list[str]:
    return [segment["text"] for segment in excerpt if segment["mark"]]


def test_excerpts_mark_the_matches_around_the_first_after_the_title(page: Page, site_url):
    bundle = serve_index(page, site_url, search.build(TINY))
    open_search_page(page, site_url)
    got = run_queries(page, f"{bundle}search/en/", ["loan", "end"])
    loan = dict(zip(got["loan"]["urls"], got["loan"]["excerpts"], strict=True))
    assert marked(loan["en/a/"]) == ["Loan", "loans"]  # the whole word that the query begins
    assert "".join(s["text"] for s in loan["en/b/"]) == "Grants A grant and a loan."
    [end] = got["end"]["excerpts"]
    text = "".join(s["text"] for s in end)
    assert text.startswith("…words filler") and text.endswith(" apple end.")  # cut at a word
    assert marked(end) == ["end"] and len(text) <= 162
    ja = run_queries(page, f"{bundle}search/ja/", ["ﾃﾞｰﾀ"])
    assert ja["ﾃﾞｰﾀ"]["urls"] == ["ja/d/"]


def shown(excerpt: list[dict]) -> str:
    return "".join(segment["text"] for segment in excerpt)


@pytest.mark.parametrize(
    ("query", "url", "text", "marks"),
    [
        ("産業政策課", "ja/f/", "産業政策課", ["産業政策課"]),  # the value, not its label
        ("補助金", "ja/f/", "商店会の活動に補助金を交付する。", ["補助金"]),  # the sentence
        (
            "商店会 補助金",
            "ja/f/",
            "商店会の活動に補助金を交付する。",
            ["商店会", "補助金"],
        ),  # both
        ("商店街 補助金", "ja/f/", "市が商店街を支援する。", ["商店街"]),  # a tie: the first
        ("ショウテンガイ", "ja/f/", "しょうてんがいしえんじぎょう", ["しょうてんがい"]),
        ("融資", "ja/a/", "市が融資を行う。", ["融資"]),  # not the title's block
        ("資金", "ja/a/", "資金融資事業", ["資金"]),  # the title's, when only it has it
        ("データ", "ja/d/", "ﾃﾞｰﾀ ベース 令和６年度", ["ﾃﾞｰﾀ"]),
        ("grant", "en/f/", "No. 1 grant goes to shopping streets.", ["grant"]),
        ("industrial", "en/f/", "Industrial Policy Division", ["Industrial"]),
        ("stops", "en/f/", "It stops there.", ["stops"]),
    ],
)
def test_an_excerpt_is_the_matching_sentence_of_one_block(
    page: Page, site_url, query, url, text, marks
):
    bundle = serve_index(page, site_url, search.build(TINY))
    open_search_page(page, site_url)
    got = run_queries(page, f"{bundle}search/{url[:2]}/", [query])[query]
    excerpt = dict(zip(got["urls"], got["excerpts"], strict=True))[url]
    assert (shown(excerpt), marked(excerpt)) == (text, marks)


def test_a_search_across_a_new_build_is_made_again_on_the_new_index(
    page: Page, site_url, monkeypatch
):
    """meta.json read from the old build, the other files from the new one (a deploy between
    the requests): the search sees meta.json change and answers from the new index."""
    monkeypatch.setattr(search, "SHARD_BYTES", 40)  # many shards: the old layout misleads
    new = search.build(TINY)
    meta = json.loads(new["search/en/meta.json"])
    assert meta["shards"] > 1
    old = {**new, "search/en/meta.json": json.dumps({**meta, "id": "old", "shards": 1}).encode()}
    folder = site_url + "test-index/"
    metas: list[str] = []

    def fulfill(route) -> None:
        path = route.request.url.removeprefix(folder).split("?")[0]
        files = old if path.endswith("meta.json") and not metas else new
        if path.endswith("meta.json"):
            metas.append(path)
        route.fulfill(status=200, body=files[path], content_type="application/json")

    page.route(lambda url: url.startswith(folder), fulfill)
    open_search_page(page, site_url)
    got = run_queries(page, f"{folder}search/en/", ["loan", "ap"])
    assert got["loan"]["urls"] == ["en/a/", "en/b/"] and got["ap"]["urls"] == ["en/c/"]
    assert len(metas) == 4  # two a query, before and after; only the very first is the old one
