"""The validation stage as people see it: `python build.py check`, in English and in Japanese.

Each case makes one small change to the valid `tiny` content tree of conftest.py, runs the
check in both languages and compares the exact lines printed on stderr:
`file:line: key: message (error-type)`, then the count line; exit status 1; nothing written.

A case marked xfail prints something wrong or confusing today. Its expected lines are what
the check should print; its reason says what it prints instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shisaku.cli import main

from .conftest import DIVISION_YAML, POLICY_YAML, PROJECT_YAML, SITE_YAML, write_tree

# The files as printed: relative to the working folder (the tests run in tmp_path).
PROJECT = "content/2023/projects/mimamori.yaml"
SECOND = "content/2023/projects/kaigo.yaml"
POLICY = "content/2023/policies/kurashi.yaml"
DIVISION = "content/divisions/soumu.yaml"
SITE = "content/site.yaml"

PROJECT_KEYS = (
    "id, order, policy, basic_project, division, name, name_kana, summary, cost, activities, "
    "previous_cost_note, end_note, merged_into"
)
POLICY_KEYS = "id, order, name, name_kana, approach, basic_projects, source_page"

COUNT = {
    "en": ("1 problem; nothing was written.", "{n} problems; nothing was written."),
    "ja": (
        "1 件の問題があります。何も書き出していません。",
        "{n} 件の問題があります。何も書き出していません。",
    ),
}


# -- Helpers --------------------------------------------------------------------------------------
def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of old; fail loudly when the fixture text changes."""
    assert text.count(old) == 1, f"{old!r} is not once in the fixture"
    return text.replace(old, new)


# A second, valid project: broken copies of it show problems of files that cannot be read
# without also leaving the fiscal year with no readable project at all.
SECOND_YAML = edit(edit(PROJECT_YAML, "id: mimamori", "id: kaigo"), "order: 1", "order: 2")


def project(old: str, new: str) -> dict[str, str | bytes]:
    return {"2023/projects/mimamori.yaml": edit(PROJECT_YAML, old, new)}


def second(old: str, new: str) -> dict[str, str | bytes]:
    return {"2023/projects/kaigo.yaml": edit(SECOND_YAML, old, new)}


def policy(old: str, new: str) -> dict[str, str | bytes]:
    return {"2023/policies/kurashi.yaml": edit(POLICY_YAML, old, new)}


def change(content: Path, files: dict[str, str | bytes]) -> None:
    """Add or overwrite files of the content tree: {path relative to content/: text or bytes}."""
    for name, text in files.items():
        if isinstance(text, bytes):
            (content / name).parent.mkdir(parents=True, exist_ok=True)
            (content / name).write_bytes(text)
        else:
            write_tree(content, {name: text})


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def check(
    capsys: pytest.CaptureFixture[str], content: Path, lang: str | None
) -> tuple[int, list[str]]:
    """Run `check` like `python build.py check`; return the exit status and the stderr lines."""
    before = snapshot(content.parent)
    code = main(["check", "--content", str(content), *(["--lang", lang] if lang else [])])
    out, err = capsys.readouterr()
    assert out == ""
    assert snapshot(content.parent) == before, "check must write nothing"
    return code, err.splitlines()


def both(capsys: pytest.CaptureFixture[str], content: Path) -> dict[str, tuple[int, list[str]]]:
    return {lang: check(capsys, content, lang) for lang in ("en", "ja")}


def failed(en: list[str], ja: list[str]) -> dict[str, tuple[int, list[str]]]:
    """What check should print for these problem lines: the lines, then the count; exit 1."""
    out = {}
    for lang, lines in (("en", en), ("ja", ja)):
        one, many = COUNT[lang]
        out[lang] = (1, [*lines, one if len(lines) == 1 else many.format(n=len(lines))])
    return out


def case(id_: str, files: dict[str, str | bytes], en: str, ja: str, bug: str = "") -> object:
    marks = [pytest.mark.xfail(reason=bug, strict=True)] if bug else []
    return pytest.param(files, en, ja, id=id_, marks=marks)


# -- One mistake, one line -----------------------------------------------------------------------
CASES = [
    # 1. Unknown keys.
    case(
        "unknown-key-typo",
        project("summary:", "sumary:"),
        f'{PROJECT}:9: sumary: unknown key "sumary" (did you mean summary?); the keys here are: {PROJECT_KEYS} (unknown-key)',
        f'{PROJECT}:9: sumary: 不明なキー "sumary" です（summary の間違いですか？）。ここで使えるキー: {PROJECT_KEYS} (unknown-key)',
    ),
    case(
        "unknown-language-key",
        project("  en: Visits were made.\n", "  en: Visits were made.\n  fr: Visites.\n"),
        f'{PROJECT}:16: activities.fr: unknown key "fr"; the keys here are: ja, en (unknown-key)',
        f'{PROJECT}:16: activities.fr: 不明なキー "fr" です。ここで使えるキー: ja, en (unknown-key)',
    ),
    # 2. A key written twice in one mapping.
    case(
        "duplicate-key",
        project("order: 1\n", "order: 1\norder: 2\n"),
        f'{PROJECT}:3: order: the key "order" appears twice in this mapping (first on line 2) (duplicate-key)',
        f'{PROJECT}:3: order: キー "order" がこの中に2回あります（最初は2行目） (duplicate-key)',
    ),
    # 3. A project id used twice in one fiscal year (a copied file whose id was not changed).
    case(
        "duplicate-project-id",
        {"2023/projects/tsuika.yaml": edit(PROJECT_YAML, "order: 1", "order: 2")},
        'content/2023/projects/tsuika.yaml:1: id: "mimamori" is already used by '
        f"{PROJECT}:1 (unique-error)",
        f'content/2023/projects/tsuika.yaml:1: id: "mimamori" は {PROJECT}:1 ですでに使われています (unique-error)',
    ),
    case(
        "duplicate-project-id-copy-sorts-first",
        {"2023/projects/a-copy.yaml": edit(PROJECT_YAML, "order: 1", "order: 2")},
        f'{PROJECT}:1: id: "mimamori" is already used by content/2023/projects/a-copy.yaml:1 (unique-error)',
        f'{PROJECT}:1: id: "mimamori" は content/2023/projects/a-copy.yaml:1 ですでに使われています (unique-error)',
    ),
    # 4. References to a policy, a basic project or a division that does not exist.
    case(
        "unknown-policy",
        project("policy: kurashi", "policy: kurasi"),
        f'{PROJECT}:3: policy: "kurasi" is not a known policy; known: kurashi (foreign-key)',
        f'{PROJECT}:3: policy: "kurasi" という施策はありません。あるもの: kurashi (foreign-key)',
    ),
    case(
        "unknown-basic-project",
        project("basic_project: anshin", "basic_project: anzen"),
        f'{PROJECT}:4: basic_project: "anzen" is not a known basic project of the policy kurashi; known: anshin (foreign-key)',
        f'{PROJECT}:4: basic_project: "anzen" という施策 kurashi の基本事業はありません。あるもの: anshin (foreign-key)',
    ),
    case(
        "unknown-division",
        project("division: soumu", "division: somu"),
        f'{PROJECT}:5: division: "somu" is not a known division; known: soumu (foreign-key)',
        f'{PROJECT}:5: division: "somu" という所管課はありません。あるもの: soumu (foreign-key)',
    ),
    # 5. The fiscal-year folder and the years of the costs.
    case(
        "cost-years-of-another-folder",
        project("{2023: 2001, 2022: 2000}", "{2024: 1, 2023: 2}"),
        f"{PROJECT}:12: cost: the file is in the folder for 2023, so cost needs the years "
        '2023, 2022; it has 2024, 2023 (write null for a year the report shows as "-") '
        "(fiscal-year-mismatch)",
        f"{PROJECT}:12: cost: 2023年度のフォルダにあるため、cost には 2023, 2022 の年度が必要ですが、"
        "2024, 2023 になっています（報告書で「-」の年度は null と書きます） (fiscal-year-mismatch)",
    ),
    case(
        "cost-one-year-only",
        project("{2023: 2001, 2022: 2000}", "{2023: 2001}"),
        f"{PROJECT}:12: cost: the file is in the folder for 2023, so cost needs the years "
        '2023, 2022; it has 2023 (write null for a year the report shows as "-") '
        "(fiscal-year-mismatch)",
        f"{PROJECT}:12: cost: 2023年度のフォルダにあるため、cost には 2023, 2022 の年度が必要ですが、"
        "2023 になっています（報告書で「-」の年度は null と書きます） (fiscal-year-mismatch)",
    ),
    # 6. Text that a spreadsheet would run as a formula.
    *(
        case(
            f"formula-{key}-{char_id}",
            project(f"{key}: {text}", f"{key}: {written}"),
            f'{PROJECT}:{line}: {path}: text must not begin with "{char}": spreadsheets would run it as a formula (formula-injection)',
            f"{PROJECT}:{line}: {path}: テキストを「{char}」で始めることはできません（表計算ソフトが数式として扱うため） (formula-injection)",
        )
        for char_id, char, key, text, written, line, path in [
            ("equals", "=", "ja", "見守り事業", "=見守り事業", 7, "name.ja"),
            ("plus", "+", "en", "Watches over older residents.", "+Watches", 11, "summary.en"),
            ("minus", "-", "en", "Visits were made.", "-Visits were made.", 15, "activities.en"),
            ("at", "@", "ja", "高齢者を見守る。", "'@高齢者を見守る。'", 10, "summary.ja"),
        ]
    ),
    case(
        "formula-ja-tab",
        project("ja: 訪問を行った。", 'ja: "\\t訪問を行った。"'),
        f"{PROJECT}:14: activities.ja: text must not begin with a tab (U+0009): spreadsheets would run it as a formula (formula-injection)",
        f"{PROJECT}:14: activities.ja: テキストをタブ文字（U+0009）で始めることはできません（表計算ソフトが数式として扱うため） (formula-injection)",
    ),
    # 7. YAML 1.1 turns yes/no/on into booleans and 2024-04-01 into a date.
    *(
        case(
            f"yaml-boolean-{word}",
            project("en: Watch-over Program", f"en: {word}"),
            f'{PROJECT}:8: name.en: "{word}" was read as the true/false value {value} (YAML 1.1); put it in quotes (yaml-1.1)',
            f'{PROJECT}:8: name.en: "{word}" が真偽値 {value} として読まれました（YAML 1.1）。引用符で囲んでください (yaml-1.1)',
        )
        for word, value in [("yes", "true"), ("no", "false"), ("on", "true")]
    ),
    case(
        "yaml-boolean-in-flow-mapping",
        {"divisions/soumu.yaml": edit(DIVISION_YAML, "en: General Affairs Division", "en: yes")},
        f'{DIVISION}:2: name.en: "yes" was read as the true/false value true (YAML 1.1); put it in quotes (yaml-1.1)',
        f'{DIVISION}:2: name.en: "yes" が真偽値 true として読まれました（YAML 1.1）。引用符で囲んでください (yaml-1.1)',
    ),
    case(
        "yaml-date",
        project("ja: 見守り事業", "ja: 2024-04-01"),
        f'{PROJECT}:7: name.ja: "2024-04-01" was read as a date; put it in quotes (yaml-1.1)',
        f'{PROJECT}:7: name.ja: "2024-04-01" が日付として読まれました。引用符で囲んでください (yaml-1.1)',
    ),
    case(
        "yaml-boolean-as-cost",
        project("2023: 2001", "2023: yes"),
        f'{PROJECT}:12: cost.2023: "yes" is not a whole number of thousand yen (type-error)',
        f'{PROJECT}:12: cost.2023: "yes" は千円単位の整数ではありません (type-error)',
    ),
    # 8. A file that is not a mapping.
    case(
        "file-is-a-list",
        {"2023/projects/mimamori.yaml": "- id: mimamori\n- order: 1\n"},
        f"{PROJECT}:1: expected a mapping of keys (key: value) but found a list (type-error)",
        f"{PROJECT}:1: 「キー: 値」の形の対応づけが必要ですが、リストになっています (type-error)",
    ),
    case(
        "file-is-a-scalar",
        {"2023/projects/mimamori.yaml": "mimamori\n"},
        f'{PROJECT}:1: expected a mapping of keys (key: value) but found the value "mimamori" (type-error)',
        f'{PROJECT}:1: 「キー: 値」の形の対応づけが必要ですが、値 "mimamori"になっています (type-error)',
    ),
    case(
        "file-is-empty",
        {"2023/projects/mimamori.yaml": ""},
        f"{PROJECT}:1: expected a mapping of keys (key: value) but found nothing (an empty value) (type-error)",
        f"{PROJECT}:1: 「キー: 値」の形の対応づけが必要ですが、空になっています (type-error)",
    ),
    # 9. Missing and empty translations.
    case(
        "missing-japanese",
        project("  ja: 見守り事業\n", ""),
        f"{PROJECT}:6: name.ja: the Japanese text is missing (missing-translation)",
        f"{PROJECT}:6: name.ja: 日本語のテキストがありません (missing-translation)",
    ),
    case(
        "missing-english",
        project("  en: Watch-over Program\n", ""),
        f"{PROJECT}:6: name.en: the English text is missing (missing-translation)",
        f"{PROJECT}:6: name.en: 英語のテキストがありません (missing-translation)",
    ),
    case(
        "empty-text",
        project("en: Watch-over Program", 'en: ""'),
        f"{PROJECT}:8: name.en: the English text is missing (missing-translation)",
        f"{PROJECT}:8: name.en: 英語のテキストがありません (missing-translation)",
    ),
    case(
        "missing-english-in-division",
        {"divisions/soumu.yaml": edit(DIVISION_YAML, ", en: General Affairs Division", "")},
        f"{DIVISION}:2: name.en: the English text is missing (missing-translation)",
        f"{DIVISION}:2: name.en: 英語のテキストがありません (missing-translation)",
    ),
    # 10. Problems found by frictionless against schema/.
    case(
        "cost-with-comma",
        project("{2023: 2001, 2022: 2000}", '{2023: "6,504", 2022: 2000}'),
        f'{PROJECT}:12: cost.2023: "6,504" is not a whole number of thousand yen (type-error)',
        f'{PROJECT}:12: cost.2023: "6,504" は千円単位の整数ではありません (type-error)',
    ),
    case(
        "cost-negative",
        project("2023: 2001", "2023: -5"),
        f"{PROJECT}:12: cost.2023: -5 is less than the minimum of 0 (constraint-error)",
        f"{PROJECT}:12: cost.2023: -5 は最小値 0 より小さい値です (constraint-error)",
    ),
    case(
        "cost-too-large",
        project("2023: 2001", "2023: 1000000000"),
        f"{PROJECT}:12: cost.2023: 1000000000 is more than the maximum of 999999999 (constraint-error)",
        f"{PROJECT}:12: cost.2023: 1000000000 は最大値 999999999 より大きい値です (constraint-error)",
    ),
    *(
        case(
            f"bad-id-{id_}",
            project("id: mimamori", f"id: {written}"),
            f'{PROJECT}:1: id: "{written}" is not a valid id: use lowercase letters a-z, digits and single hyphens (constraint-error)',
            f'{PROJECT}:1: id: "{written}" はIDとして使えません。英小文字a-z・数字・ハイフンで書いてください (constraint-error)',
        )
        for id_, written in [
            ("capitals", "Mimamori"),
            ("space", "mi mamori"),
            ("path", "../mimamori"),
        ]
    ),
    case(
        "missing-division",
        project("division: soumu\n", ""),
        f"{PROJECT}:1: division: this key is missing (missing-key)",
        f"{PROJECT}:1: division: このキーがありません (missing-key)",
    ),
    case(
        "missing-id",
        project("id: mimamori\n", ""),
        f"{PROJECT}:1: id: this key is missing (missing-key)",
        f"{PROJECT}:1: id: このキーがありません (missing-key)",
    ),
    # 11. YAML that cannot be parsed (in a second project file, so the year still has one).
    case(
        "yaml-block-mapping",
        second("order: 2\n", "order: 2\n- x\n"),
        f"{SECOND}:3: the YAML cannot be read: did not find expected key (while parsing a block mapping) (yaml-error)",
        f"{SECOND}:3: YAMLの書き方に誤りがあります: did not find expected key (while parsing a block mapping) (yaml-error)",
    ),
    case(
        "yaml-tab-indent",
        second("  ja: 見守り事業", "\tja: 見守り事業"),
        f"{SECOND}:7: a tab is used for indentation; indent with spaces (yaml-error)",
        f"{SECOND}:7: 字下げにタブ文字が使われています。スペースで字下げしてください (yaml-error)",
    ),
    case(
        "yaml-unclosed-brace",
        second("cost: {2023: 2001, 2022: 2000}", "cost: {2023: 2001, 2022: 2000"),
        f"{SECOND}:12: the YAML cannot be read: did not find expected ',' or '}}' (while parsing a flow mapping) (yaml-error)",
        f"{SECOND}:12: YAMLの書き方に誤りがあります: did not find expected ',' or '}}' (while parsing a flow mapping) (yaml-error)",
    ),
    case(
        "yaml-unclosed-quote",
        second("en: Watch-over Program", 'en: "Watch-over Program'),
        f"{SECOND}:8: the YAML cannot be read: found unexpected end of stream (while scanning a quoted scalar) (yaml-error)",
        f"{SECOND}:8: YAMLの書き方に誤りがあります: found unexpected end of stream (while scanning a quoted scalar) (yaml-error)",
    ),
    case(
        "yaml-no-space-after-colon",
        second("policy: kurashi", "policy:kurashi"),
        f"{SECOND}:3: the YAML cannot be read: could not find expected ':' (while scanning a simple key) (yaml-error)",
        f"{SECOND}:3: YAMLの書き方に誤りがあります: could not find expected ':' (while scanning a simple key) (yaml-error)",
    ),
    case(
        "yaml-error-in-the-only-project",
        {"2023/projects/mimamori.yaml": PROJECT_YAML + "- x\n"},
        f"{PROJECT}:16: the YAML cannot be read: did not find expected key (while parsing a block mapping) (yaml-error)",
        f"{PROJECT}:16: YAMLの書き方に誤りがあります: did not find expected key (while parsing a block mapping) (yaml-error)",
    ),
    # 12. A file that is not UTF-8.
    case(
        "shift-jis",
        {"2023/projects/kaigo.yaml": SECOND_YAML.encode("cp932")},
        f"{SECOND}:7: the file is not UTF-8 text (byte 0x8C cannot be read); save it as UTF-8 (encoding-error)",
        f"{SECOND}:7: ファイルがUTF-8ではありません（0x8Cを読めません）。UTF-8で保存してください (encoding-error)",
    ),
    case(
        "shift-jis-only-project",
        {"2023/projects/mimamori.yaml": PROJECT_YAML.encode("cp932")},
        f"{PROJECT}:7: the file is not UTF-8 text (byte 0x8C cannot be read); save it as UTF-8 (encoding-error)",
        f"{PROJECT}:7: ファイルがUTF-8ではありません（0x8Cを読めません）。UTF-8で保存してください (encoding-error)",
    ),
    # 13. YAML files that the build does not read.
    case(
        "stray-folder",
        {"2023/project/x.yaml": SECOND_YAML},
        "content/2023/project/x.yaml: this file is not read; content is read from site.yaml, "
        "divisions/, and YYYY/report.yaml, YYYY/policies/, YYYY/projects/ (unexpected-file)",
        "content/2023/project/x.yaml: このファイルは読み込まれません。読み込まれるのは site.yaml、"
        "divisions/、年度フォルダの report.yaml、policies/、projects/ です (unexpected-file)",
    ),
    case(
        "yml-extension",
        {"2023/projects/kaigo.yml": SECOND_YAML},
        "content/2023/projects/kaigo.yml: this file is not read; rename it to .yaml (unexpected-file)",
        "content/2023/projects/kaigo.yml: このファイルは読み込まれません。拡張子を .yaml にしてください (unexpected-file)",
    ),
    # 14. Policies.
    case(
        "duplicate-basic-project-id",
        {
            "2023/policies/kurashi.yaml": POLICY_YAML
            + "  - id: anshin\n"
            + "    name: {ja: 安全, en: Security}\n"
            + "    directions:\n"
            + "      - {ja: 守る。, en: Protect.}\n"
        },
        f'{POLICY}:10: basic_projects[1].id: "anshin" is already used by {POLICY}:6 (unique-error)',
        f'{POLICY}:10: basic_projects[1].id: "anshin" は {POLICY}:6 ですでに使われています (unique-error)',
    ),
    case(
        "basic-projects-not-a-list",  # was a traceback: the rows looked a project's up in it
        policy(POLICY_YAML[POLICY_YAML.index("basic_projects:") :], "basic_projects: 5\n"),
        f'{POLICY}:5: basic_projects: expected a list of items (lines starting with "- ") but found the value 5 (type-error)',
        f"{POLICY}:5: basic_projects: 「- 」で始まる項目の並びが必要ですが、値 5になっています (type-error)",
    ),
    case(
        "policy-unknown-key",
        policy("order: 1\n", "order: 1\ncolor: red\n"),
        f'{POLICY}:3: color: unknown key "color"; the keys here are: {POLICY_KEYS} (unknown-key)',
        f'{POLICY}:3: color: 不明なキー "color" です。ここで使えるキー: {POLICY_KEYS} (unknown-key)',
    ),
    case(
        "division-phone",
        {"divisions/soumu.yaml": DIVISION_YAML + 'contact:\n  phone: "042 470 7777"\n'},
        f'{DIVISION}:4: contact.phone: "042 470 7777" is not a telephone number such as 042-470-7777 (half-width digits and hyphens) (constraint-error)',
        f'{DIVISION}:4: contact.phone: "042 470 7777" は042-470-7777 のような電話番号（半角数字とハイフン）ではありません (constraint-error)',
    ),
    case(
        "policy-source-page",
        policy("approach:", "source_page: twelve\napproach:"),
        f'{POLICY}:4: source_page: "twelve" is not a whole number (type-error)',
        f'{POLICY}:4: source_page: "twelve" は整数ではありません (type-error)',
    ),
    case(
        "emblem-missing",
        {
            "site.yaml": edit(
                SITE_YAML, '  code: "132225"\n', '  code: "132225"\n  emblem: shisho.svg\n'
            )
        },
        "content/site.yaml:5: city.emblem: there is no image shisho.svg beside site.yaml (missing-image)",
        "content/site.yaml:5: city.emblem: site.yaml と同じフォルダに画像 shisho.svg がありません (missing-image)",
    ),
    case(
        "emblem-with-a-script",
        {
            "site.yaml": edit(
                SITE_YAML, '  code: "132225"\n', '  code: "132225"\n  emblem: shisho.svg\n'
            ),
            "shisho.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>\n',
        },
        "content/site.yaml:5: city.emblem: the image shisho.svg has scripts, event handlers or links to other files; save it again without them (for example as a plain SVG or a PNG) (unsafe-image)",
        "content/site.yaml:5: city.emblem: 画像 shisho.svg にスクリプト、イベント属性、ほかのファイルへのリンクのいずれかがあります。それを含めずに保存し直してください（例：プレーンSVGやPNG） (unsafe-image)",
    ),
    case(
        "policy-unknown-key-typo",
        policy("approach:", "aproach:"),
        f'{POLICY}:4: aproach: unknown key "aproach" (did you mean approach?); the keys here are: {POLICY_KEYS} (unknown-key)',
        f'{POLICY}:4: aproach: 不明なキー "aproach" です（approach の間違いですか？）。ここで使えるキー: {POLICY_KEYS} (unknown-key)',
    ),
    # 15. A reading (name_kana) that is not kana.
    case(
        "reading-with-kanji",
        project("summary:", "name_kana: 見守りじぎょう\nsummary:"),
        f'{PROJECT}:9: name_kana: "見守りじぎょう" is not a reading in hiragana or katakana: it has "見" (write it as しょうてんがい or ショウテンガイ, with no spaces) (constraint-error)',
        f'{PROJECT}:9: name_kana: "見守りじぎょう" はひらがなかカタカナの読みではありません。「見」が含まれています（しょうてんがい、ショウテンガイのように空白なしで書きます） (constraint-error)',
    ),
    case(
        "reading-with-a-space",
        policy("order: 1\n", "order: 1\nname_kana: くらし あんしん\n"),
        f'{POLICY}:3: name_kana: "くらし あんしん" is not a reading in hiragana or katakana: it has a space (U+0020) (write it as しょうてんがい or ショウテンガイ, with no spaces) (constraint-error)',
        f'{POLICY}:3: name_kana: "くらし あんしん" はひらがなかカタカナの読みではありません。空白（U+0020）が含まれています（しょうてんがい、ショウテンガイのように空白なしで書きます） (constraint-error)',
    ),
    case(
        "reading-empty",
        {"divisions/soumu.yaml": DIVISION_YAML + 'name_kana: ""\n'},
        f'{DIVISION}:3: name_kana: "" is not a reading in hiragana or katakana (write it as しょうてんがい or ショウテンガイ, with no spaces) (constraint-error)',
        f'{DIVISION}:3: name_kana: "" はひらがなかカタカナの読みではありません（しょうてんがい、ショウテンガイのように空白なしで書きます） (constraint-error)',
    ),
    case(
        "reading-not-text",
        project("summary:", "name_kana: 1234\nsummary:"),
        f"{PROJECT}:9: name_kana: 1234 is not text (type-error)",
        f"{PROJECT}:9: name_kana: 1234 はテキストではありません (type-error)",
    ),
]


@pytest.mark.parametrize(("files", "en", "ja"), CASES)
def test_one_mistake_one_line(tiny, monkeypatch, capsys, files, en, ja):
    monkeypatch.chdir(tiny.parent)
    change(tiny, files)
    assert both(capsys, tiny) == failed([en], [ja])


# frictionless's problems (its error types), which a build finds in a worker beside the pages
# once our own checks pass: the same lines as check, and the site as it was.
TABLE_CASES = [c for c in CASES if c.values[1].endswith(("(type-error)", "(constraint-error)"))]


@pytest.mark.parametrize(("files", "en", "ja"), TABLE_CASES)
def test_build_says_what_check_says(tiny, monkeypatch, capsys, files, en, ja):
    monkeypatch.chdir(tiny.parent)
    site = tiny.parent / "site"
    assert main(["build", "--quiet", "--content", str(tiny), "--out", str(site)]) == 0
    built = snapshot(site)
    change(tiny, files)
    capsys.readouterr()
    code = main(["build", "--quiet", "--lang", "en", "--content", str(tiny), "--out", str(site)])
    assert (code, capsys.readouterr().err.splitlines()) == failed([en], [ja])["en"]
    assert snapshot(site) == built


# -- All at once, and all well -------------------------------------------------------------------
def test_valid_tree_prints_nothing(tiny, monkeypatch, capsys):
    monkeypatch.chdir(tiny.parent)
    assert both(capsys, tiny) == {"en": (0, []), "ja": (0, [])}


def test_problems_in_several_files_are_sorted_by_file_and_line(tiny, monkeypatch, capsys):
    monkeypatch.chdir(tiny.parent)
    # Found in another order: divisions before projects, the cost years after the text.
    change(
        tiny,
        {
            "divisions/soumu.yaml": edit(
                DIVISION_YAML, "en: General Affairs Division", 'en: "=General Affairs"'
            ),
            "2023/projects/mimamori.yaml": edit(
                edit(PROJECT_YAML, "{2023: 2001, 2022: 2000}", "{2023: 2001}"),
                "ja: 訪問を行った。",
                "ja: '@訪問を行った。'",
            ),
        },
    )
    assert both(capsys, tiny) == failed(
        [
            f"{PROJECT}:12: cost: the file is in the folder for 2023, so cost needs the years "
            '2023, 2022; it has 2023 (write null for a year the report shows as "-") '
            "(fiscal-year-mismatch)",
            f'{PROJECT}:14: activities.ja: text must not begin with "@": spreadsheets would run it as a formula (formula-injection)',
            f'{DIVISION}:2: name.en: text must not begin with "=": spreadsheets would run it as a formula (formula-injection)',
        ],
        [
            f"{PROJECT}:12: cost: 2023年度のフォルダにあるため、cost には 2023, 2022 の年度が必要ですが、"
            "2023 になっています（報告書で「-」の年度は null と書きます） (fiscal-year-mismatch)",
            f"{PROJECT}:14: activities.ja: テキストを「@」で始めることはできません（表計算ソフトが数式として扱うため） (formula-injection)",
            f"{DIVISION}:2: name.en: テキストを「=」で始めることはできません（表計算ソフトが数式として扱うため） (formula-injection)",
        ],
    )


# -- 15. The language of the messages, from the locale ----------------------------------------------
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.mark.parametrize(
    ("environment", "lang"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, "ja"),
        ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "C"}, "ja"),
    ],
    ids=lambda value: (
        (" ".join(f"{k}={v}" for k, v in value.items()) or "unset")
        if isinstance(value, dict)
        else value
    ),
)
def test_language_from_locale(tiny, monkeypatch, capsys, environment, lang):
    monkeypatch.chdir(tiny.parent)
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    change(tiny, project("division: soumu", "division: somu"))
    expected = failed(
        [f'{PROJECT}:5: division: "somu" is not a known division; known: soumu (foreign-key)'],
        [f'{PROJECT}:5: division: "somu" という所管課はありません。あるもの: soumu (foreign-key)'],
    )
    assert check(capsys, tiny, None) == expected[lang]


@pytest.mark.parametrize("length", [49, 5001])
def test_a_description_search_engines_would_not_read_is_a_warning(
    tiny, monkeypatch, capsys, length
):
    """Google's Dataset Search reads a Dataset's description of 50 to 5,000 characters: the
    build says so, and goes on; --strict stops it."""
    monkeypatch.chdir(tiny.parent)
    site_yaml = tiny / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    old = "A site for tests. The policies and projects of a policy report and their costs."
    site_yaml.write_text(text.replace(old, "x" * length), encoding="utf-8")
    en = (
        f"{SITE}:6: warning: description.en: the description is {length:,} characters; "
        "Google's Dataset Search reads only 50 to 5,000 (constraint-error)"
    )
    ja = (
        f"{SITE}:6: 警告: description.en: 説明が{length:,}文字です。Google のデータセット検索は"
        "50〜5,000文字の説明のみ読み取ります (constraint-error)"
    )
    assert both(capsys, tiny) == {
        "en": (0, [en, "1 warning."]),
        "ja": (0, [ja, "1 件の警告があります。"]),
    }
    assert main(["check", "--strict", "--lang", "en", "--content", str(tiny)]) == 1
