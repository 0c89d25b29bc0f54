"""A module of shisaku/ as it was at a git revision, for a benchmark to time old code beside new."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def module_at(revision: str, path: str, name: str) -> ModuleType:
    """The file at path (e.g. shisaku/data.py) as it is at revision, imported as the module
    `name` of the shisaku package (its relative imports find today's modules)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "shisaku"
    sys.modules[name] = module  # dataclasses and pickle look classes up there
    exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)
    return module
