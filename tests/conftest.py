"""Shared helpers: the real content, and tiny synthetic content trees to break one way at a time."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
SEED = next((SHARED / "seed").glob("*.txt"))
STANDARDS = SHARED / "standards"

SITE_YAML = """\
city:
  name: {ja: 試験市, en: Test City}
  prefecture: {ja: 東京都, en: Tokyo}
  code: "132225"
title: {ja: 試験市 施策報告書, en: Test City Policy Report}
description: {ja: 試験用のサイトです。施策報告書の施策と事務事業と事業費を日本語と英語で公開する試験のためのオープンデータです。, en: A site for tests. The policies and projects of a policy report and their costs.}
publisher:
  name: {ja: 試験市, en: Test City}
  url: https://example.org/
license:
  id: CC-BY-4.0
  name: {ja: CC BY 4.0, en: CC BY 4.0}
  url: https://creativecommons.org/licenses/by/4.0/
  note: {ja: 注記, en: Note}
base_url: https://example.org
base_path: /
languages: [ja, en]
keywords: {ja: [試験], en: [test]}
version: "1.0.0"
updated: "2024-05-01"
"""

DIVISION_YAML = """\
id: soumu
name: {ja: 総務課, en: General Affairs Division}
"""

REPORT_YAML = """\
title: {ja: 令和６年度施策報告書, en: FY2024 Policy Report}
"""

POLICY_YAML = """\
id: kurashi
order: 1
name: {ja: 暮らし, en: Living}
approach: {ja: 暮らしを支える。, en: Support daily life.}
basic_projects:
  - id: anshin
    name: {ja: 安心, en: Safety}
    directions:
      - {ja: 見守る。, en: Watch over.}
"""

PROJECT_YAML = """\
id: mimamori
order: 1
policy: kurashi
basic_project: anshin
division: soumu
name:
  ja: 見守り事業
  en: Watch-over Program
summary:
  ja: 高齢者を見守る。
  en: Watches over older residents.
cost: {2023: 2001, 2022: 2000}
activities:
  ja: 訪問を行った。
  en: Visits were made.
"""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write a content tree: {relative path: text}."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tiny_files() -> dict[str, str]:
    """The smallest valid content: one division, one policy, one project in FY2023."""
    return {
        "site.yaml": SITE_YAML,
        "divisions/soumu.yaml": DIVISION_YAML,
        "2023/report.yaml": REPORT_YAML,
        "2023/policies/kurashi.yaml": POLICY_YAML,
        "2023/projects/mimamori.yaml": PROJECT_YAML,
    }


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A valid tiny content tree in a temporary folder."""
    return write_tree(tmp_path / "content", tiny_files())


@pytest.fixture
def real_content(tmp_path: Path) -> Path:
    """A copy of the real content, safe to change."""
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))
