"""`import`: the report's own spreadsheet layout (or our published CSV/XLSX) -> content YAML files."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=str)


def run(args: argparse.Namespace, lang: str) -> int:
    raise NotImplementedError("import")
