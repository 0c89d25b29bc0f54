"""The preview server: build, serve site/ on 127.0.0.1, rebuild on change, reload the page."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace, lang: str) -> int:
    raise NotImplementedError("serve")
