"""`new`: a content file with every key present and a comment on each, in Japanese and English."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, lang: str) -> int:
    raise NotImplementedError("new")
