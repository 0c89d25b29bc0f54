"""Synthetic content trees of any size, in the real format, for tests that need many projects.

The text is made up from the vocabulary of a 施策報告書 and has the lengths of the real report
(a summary of 60-150 Japanese characters, its English about twice as long), so pages, data
files and the search index weigh what they would for a large city. Synthetic data lives in
tests/ only, never in content/.
"""

from __future__ import annotations

import random
from pathlib import Path

FISCAL_YEAR = 2023

DIVISIONS = [
    ("kikaku-chosei", "企画調整課", "Planning and Coordination Division"),
    ("sangyo-seisaku", "産業政策課", "Industrial Policy Division"),
    ("fukushi-somu", "福祉総務課", "Welfare General Affairs Division"),
    ("kankyo-seisaku", "環境政策課", "Environmental Policy Division"),
    ("kyoiku-somu", "教育総務課", "Education General Affairs Division"),
    ("doro-kotsu", "道路交通課", "Roads and Traffic Division"),
]

# Policies, each with its basic projects: (id, Japanese name, English name).
POLICIES = [
    (
        ("chiiki-keizai", "地域経済の活性化", "Revitalizing the Local Economy"),
        [
            ("shokogyo", "商工業の活性化", "Revitalizing commerce and industry"),
            ("kanko", "観光の振興", "Promoting tourism"),
        ],
    ),
    (
        ("kenko-fukushi", "健康と福祉の充実", "Better Health and Welfare"),
        [
            ("koreisha", "高齢者の支援", "Supporting older residents"),
            ("kosodate", "子育ての支援", "Supporting families with children"),
            ("kenko", "健康づくり", "Promoting good health"),
        ],
    ),
    (
        ("kankyo", "環境の保全", "Protecting the Environment"),
        [
            ("midori", "緑と水辺の保全", "Conserving green spaces and waterside areas"),
            ("gomi", "ごみの減量", "Reducing waste"),
        ],
    ),
]

JA_SUBJECTS = [
    "市内の事業者",
    "商店会",
    "高齢者",
    "子育て世帯",
    "市民団体",
    "地域の学校",
    "町会・自治会",
]
JA_ACTIONS = [
    "の取組みに対し、要綱に基づき補助金を交付する",
    "を対象に相談窓口を設け、専門家による助言を行う",
    "と連携し、講座やセミナーを開催する",
    "に向けた情報発信を行い、制度の周知を図る",
    "の活動を支援し、地域のにぎわいを創出する",
]
EN_SUBJECTS = [
    "businesses in the city",
    "shopping street associations",
    "older residents",
    "families with children",
    "civic groups",
    "local schools",
    "neighbourhood associations",
]
EN_ACTIONS = [
    "The City provides subsidies, based on its guidelines, for the initiatives of {}",
    "The City runs a consultation desk where experts advise {}",
    "The City holds courses and seminars together with {}",
    "The City publicizes the programme so that it reaches {}",
    "The City supports the activities of {} to bring life to the community",
]
JA_NAMES = ["支援事業", "推進事業", "補助事業", "運営事業", "啓発事業"]
EN_NAMES = [
    "Support Program",
    "Promotion Program",
    "Subsidy Program",
    "Operation",
    "Awareness Program",
]


def _sentences(rng: random.Random, count: int) -> tuple[str, str]:
    """`count` matching Japanese and English sentences."""
    ja, en = [], []
    for _ in range(count):
        subject = rng.randrange(len(JA_SUBJECTS))
        action = rng.randrange(len(JA_ACTIONS))
        ja.append(JA_SUBJECTS[subject] + JA_ACTIONS[action] + "。")
        en.append(EN_ACTIONS[action].format(EN_SUBJECTS[subject]) + ".")
    return "".join(ja), " ".join(en)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: safe for any text the generator makes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(key: str, ja: str, en: str, indent: str = "") -> str:
    return f"{indent}{key}:\n{indent}  ja: {_quoted(ja)}\n{indent}  en: {_quoted(en)}\n"


def _site_yaml(variant: str) -> str:
    title_ja = "合成市 施策報告書オープンデータ" + (f"（{variant}）" if variant else "")
    title_en = "Synthetic City Policy Report Open Data" + (f" ({variant})" if variant else "")
    return (
        "city:\n"
        + _text("name", "合成市", "Synthetic City", "  ")
        + _text("prefecture", "東京都", "Tokyo", "  ")
        + '  code: "132225"\n'
        + _text("title", title_ja, title_en)
        + _text("description", "試験のための合成データです。", "Synthetic data for tests.")
        + "publisher:\n"
        + _text("name", "合成市", "Synthetic City", "  ")
        + "  url: https://example.org/\n"
        + "license:\n"
        + "  id: CC-BY-4.0\n"
        + _text("name", "CC BY 4.0", "CC BY 4.0", "  ")
        + "  url: https://creativecommons.org/licenses/by/4.0/\n"
        + _text("note", "CC BY 4.0で提供します。", "Provided under CC BY 4.0.", "  ")
        + "base_url: https://example.org\n"
        + "base_path: /shisaku-hokoku/\n"
        + "languages: [ja, en]\n"
        + "keywords:\n  ja: [施策報告書, 合成]\n  en: [policy report, synthetic]\n"
        + 'version: "1.0.0"\n'
        + 'updated: "2024-05-01"\n'
    )


def _policy_yaml(
    order: int, policy: tuple[str, str, str], basics: list[tuple[str, str, str]]
) -> str:
    policy_id, name_ja, name_en = policy
    text = f"id: {policy_id}\norder: {order}\n" + _text("name", name_ja, name_en)
    text += _text("approach", f"{name_ja}に努める。", f"The City works towards {name_en.lower()}.")
    text += "basic_projects:\n"
    for basic_id, basic_ja, basic_en in basics:
        text += f"  - id: {basic_id}\n" + _text("name", basic_ja, basic_en, "    ")
        text += "    directions:\n"
        text += f"      - ja: {_quoted(basic_ja + 'を進める。')}\n"
        text += f"        en: {_quoted(basic_en + ' is taken forward.')}\n"
    return text


def _cost(rng: random.Random) -> str:
    """A figure in thousand yen; now and then missing ("-" in the report) or zero."""
    roll = rng.random()
    if roll < 0.03:
        return "null"
    if roll < 0.05:
        return "0"
    return str(rng.randrange(100, 500_000))


def _project_yaml(number: int, rng: random.Random, variant: str) -> str:
    (policy_id, _, _), basics = POLICIES[number % len(POLICIES)]
    basic_id = basics[number // len(POLICIES) % len(basics)][0]
    division = DIVISIONS[rng.randrange(len(DIVISIONS))][0]
    kind = rng.randrange(len(JA_NAMES))
    summary = _sentences(rng, rng.randint(2, 4))
    activities_ja, activities_en = _sentences(rng, rng.randint(1, 3))
    if variant:
        activities_ja += f"（{variant}）"
        activities_en += f" ({variant})"
    return (
        f"id: jigyo-{number:05d}\n"
        f"order: {number}\n"
        f"policy: {policy_id}\n"
        f"basic_project: {basic_id}\n"
        f"division: {division}\n"
        + _text("name", f"第{number}号{JA_NAMES[kind]}", f"No. {number} {EN_NAMES[kind]}")
        + _text("summary", *summary)
        + f"cost: {{{FISCAL_YEAR}: {_cost(rng)}, {FISCAL_YEAR - 1}: {_cost(rng)}}}\n"
        + _text("activities", activities_ja, activities_en)
    )


def _pages() -> dict[str, str]:
    """The Markdown pages the footer links to, in both languages."""
    titles = {
        "about": ("このサイトについて", "About this site"),
        "terms": ("利用規約", "Terms of use"),
        "accessibility": ("アクセシビリティ", "Accessibility"),
    }
    files = {}
    for slug, (ja, en) in titles.items():
        files[f"pages/{slug}.ja.md"] = f"# {ja}\n\n合成データのサイトです。\n"
        files[f"pages/{slug}.en.md"] = f"# {en}\n\nA site of synthetic data.\n"
    return files


def make_tree(root: Path, projects: int, seed: int = 0, variant: str = "") -> Path:
    """Write a valid content tree with `projects` projects in FY2023 into root; return root.

    The same arguments give the same bytes. `variant` goes into the site's title (on every
    page) and into each project's activities, so an "old" and a "new" tree differ visibly.
    """
    rng = random.Random(seed)
    files: dict[str, str] = {"site.yaml": _site_yaml(variant), **_pages()}
    for division_id, ja, en in DIVISIONS:
        files[f"divisions/{division_id}.yaml"] = f"id: {division_id}\n" + _text("name", ja, en)
    year = f"{FISCAL_YEAR}"
    files[f"{year}/report.yaml"] = _text(
        "title",
        "令和６年度施策報告書（令和５年度振り返り）",
        "FY2024 Policy Report (Review of FY2023)",
    )
    for order, (policy, basics) in enumerate(POLICIES, start=1):
        files[f"{year}/policies/{policy[0]}.yaml"] = _policy_yaml(order, policy, basics)
    for number in range(1, projects + 1):
        files[f"{year}/projects/jigyo-{number:05d}.yaml"] = _project_yaml(number, rng, variant)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
