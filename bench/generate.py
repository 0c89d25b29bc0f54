"""Synthetic content trees in the real format, for the benchmark: N project files over several years.

    python bench/generate.py OUT --projects 10000 [--years 4] [--seed 0]

Texts have the lengths of the report's (names ~15 characters, summaries ~90, activities ~80
in Japanese; English about twice as many characters); policies hold about 20 projects; every
project file has its own id, so N files give about 2 × N project pages. Synthetic data lives
here and in tests/, never in content/.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KANJI = "市民地域経済活性化商店街支援事業補助金交付産業振興創業就労観光情報発信施設整備計画推進協議会運営"
KANA = "のをにはがとでへもるたしてい"
WORDS = [
    "the",
    "city",
    "provided",
    "grants",
    "for",
    "local",
    "businesses",
    "events",
    "support",
    "shopping",
    "streets",
    "visitors",
    "plan",
    "council",
]
PER_POLICY = 20
BASIC_PER_POLICY = 2


def japanese(rng: random.Random, length: int) -> str:
    """Text that looks like the report's: kanji runs joined by kana, ending with 。"""
    out = []
    while len("".join(out)) < length:
        out.append("".join(rng.choice(KANJI) for _ in range(rng.randint(2, 5))))
        out.append(rng.choice(KANA))
    return "".join(out)[:length] + "。"


def english(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def text_block(key: str, ja: str, en: str) -> str:
    return f'{key}:\n  ja: "{ja}"\n  en: "{en}"\n'


def project_file(
    rng: random.Random, pid: str, order: int, year: int, policy: str, basic: str, division: str
) -> str:
    cost = rng.choice([0, rng.randint(100, 50000), rng.randint(100, 5000)])
    previous = rng.choice(["null", 0, rng.randint(100, 50000)])
    return (
        f"id: {pid}\norder: {order}\npolicy: {policy}\nbasic_project: {basic}\ndivision: {division}\n"
        + text_block("name", japanese(rng, 12) + "事業", english(rng, 40))
        + text_block("summary", japanese(rng, 90), english(rng, 200))
        + f"cost: {{{year}: {cost}, {year - 1}: {previous}}}\n"
        + text_block("activities", japanese(rng, 80), english(rng, 180))
    )


def policy_file(rng: random.Random, policy: str, order: int) -> str:
    basics = "".join(
        f"  - id: b{order}-{b}\n"
        f'    name: {{ja: "{japanese(rng, 15)}", en: "{english(rng, 40)}"}}\n'
        f"    directions:\n"
        + "".join(
            f'      - {{ja: "{japanese(rng, 50)}", en: "{english(rng, 100)}"}}\n' for _ in range(3)
        )
        for b in range(BASIC_PER_POLICY)
    )
    return (
        f"id: {policy}\norder: {order}\n"
        + text_block("name", japanese(rng, 10), english(rng, 30))
        + text_block("approach", japanese(rng, 60), english(rng, 140))
        + f"basic_projects:\n{basics}"
    )


def make_tree(out: Path, projects: int, years: int = 4, seed: int = 0) -> Path:
    """Write a content tree of `projects` project files over `years` fiscal years."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "divisions").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yaml", out / "site.yaml")
    shutil.copytree(ROOT / "content" / "pages", out / "pages")
    divisions = [f"division-{d}" for d in range(max(2, projects // 200))]
    for division in divisions:
        (out / "divisions" / f"{division}.yaml").write_text(
            f"id: {division}\n"
            + text_block("name", japanese(rng, 5) + "課", english(rng, 20) + " Division"),
            encoding="utf-8",
        )
    per_year = [projects // years + (1 if y < projects % years else 0) for y in range(years)]
    for index, count in enumerate(per_year):
        year = 2023 - index
        folder = out / str(year)
        (folder / "policies").mkdir(parents=True)
        (folder / "projects").mkdir()
        (folder / "report.yaml").write_text(
            text_block("title", f"{year}年度施策報告書", f"FY{year} Policy Report"),
            encoding="utf-8",
        )
        policies = max(1, -(-count // PER_POLICY))
        for p in range(policies):
            (folder / "policies" / f"policy-{p}.yaml").write_text(
                policy_file(rng, f"policy-{p}", p + 1), encoding="utf-8"
            )
        for n in range(count):
            p = n // PER_POLICY
            pid = f"p{year}-{n}"
            text = project_file(
                rng,
                pid,
                n + 1,
                year,
                f"policy-{p}",
                f"b{p + 1}-{n % BASIC_PER_POLICY}",
                rng.choice(divisions),
            )
            (folder / "projects" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    make_tree(args.out, args.projects, args.years, args.seed)


if __name__ == "__main__":
    main()
