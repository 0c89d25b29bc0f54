"""Property tests: whatever the content files say, the check ends with no problems, or with
problems of one line each; it never raises.

Hypothesis writes random YAML-ish text, random bytes, random YAML documents and random
mutations of the real content (a key deleted, a value of another type, unicode inserted,
lines swapped, the file cut short) into a content tree, and runs `pipeline.check` on it, as
`python build.py check` does. One test runs the whole build and checks a failed build leaves
the site as it was.

The runs are derandomized: the same examples every time, so a failure reproduces by running
the test again (Hypothesis also prints the failing example and a @reproduce_failure blob).
To look further, set SHISAKU_EXPLORE=1 (random examples, ten times as many):

    SHISAKU_EXPLORE=1 python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os
import shutil
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shisaku import load, pipeline
from shisaku.problems import Problem

from .conftest import CONTENT, tiny_files, write_tree

EXPLORE = os.environ.get("SHISAKU_EXPLORE") == "1"


def bounded(examples: int) -> Callable[[Any], Any]:
    """Hypothesis settings: a fixed number of derandomized examples, no deadline (the check
    takes ~50 ms, most of it in frictionless)."""
    return settings(
        max_examples=examples * (10 if EXPLORE else 1),
        deadline=None,
        derandomize=not EXPLORE,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- What the check must always do ---------------------------------------------------------------
def assert_ends_well(validated: Any, problems: list[Problem]) -> None:
    """Exit 0 with no problems, or exit 1 with problems, each one line in both languages."""
    assert (validated is None) == bool(problems)
    for item in problems:
        for lang in ("en", "ja"):
            line = item.format(lang)
            assert "\n" not in line and "\r" not in line, line
            assert "Traceback" not in line
            assert line.endswith(f" ({item.type})"), line
            assert len(line) < 2000, line


@contextmanager
def replaced(path: Path, data: str | bytes) -> Iterator[None]:
    """The file holds data for the duration; then what it held before (or nothing)."""
    before = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    try:
        yield
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)


@pytest.fixture(scope="module")
def tiny_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny content tree for the module; each example changes one file and puts it back."""
    return write_tree(tmp_path_factory.mktemp("tiny") / "content", tiny_files())


@pytest.fixture(scope="module")
def real_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(CONTENT, tmp_path_factory.mktemp("real") / "content"))


TINY_FILES = sorted(tiny_files())
REAL_FILES = sorted(str(p.relative_to(CONTENT)) for p in CONTENT.rglob("*") if p.is_file())

# -- Strategies -----------------------------------------------------------------------------------
# Characters that mean something to YAML, that staff paste from Excel, Word and PDFs, and that
# YAML cannot carry at all.
YAML_SYNTAX = ":-?[]{},#&*!|>'\"%@`\\ \t\n"
PASTED = "　\u00a0\ufeff\u200b\u2028\x0b\x0c\r＝＋－＠０１２３，．（）：ーが\u304b\u3099"
CONTROL = "\x00\x01\x07\x1b\x7f\x85\x9f\ud800\udfff\ufffe\uffff"
SCALARS = [
    "yes", "no", "on", "off", "~", "null", "2024-04-01", "0123", "0x7D1", "1:30", "1_000",
    ".inf", ".nan", "-5", "1e999", "9" * 5000, "２００１", '"6,504"', "[]", "{}", "[1, 2]",
    "&a x", "*a", "!!python/object:os.system", "!!binary aGk=", "!custom x", "=SUM(A1)",
    "@user", "+81", '"\\0"', '"\\x0b"', '"\\ud800"', '"C:\\path"', "'", '"', "|", ">",
    "<script>alert(1)</script>", "　", "kurashi　", "../x", "Mimamori",
]  # fmt: skip
SCALAR = st.one_of(
    st.sampled_from(SCALARS),
    st.text(st.sampled_from(YAML_SYNTAX + PASTED + CONTROL + string.ascii_letters), max_size=12),
)
YAMLISH = st.text(
    st.one_of(
        st.sampled_from(YAML_SYNTAX + PASTED + CONTROL),
        st.sampled_from(string.ascii_lowercase + string.digits),
        st.characters(),
    ),
    max_size=300,
)


def yaml_values() -> st.SearchStrategy[Any]:
    """Any YAML document PyYAML can write: scalars of every type, nested lists and mappings."""
    keys = st.one_of(
        st.sampled_from(["id", "order", "name", "ja", "en", "cost", "policy", "languages"]),
        st.integers(2020, 2025),
        st.text(max_size=8),
    )
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**30, max_value=10**200),
        st.floats(),
        st.text(max_size=30),
        st.sampled_from(SCALARS),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)
        ),
        max_leaves=30,
    )


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """The text with one to three mutations, of the kinds that hand editing and pasting make."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        i, j = (draw(st.integers(0, max(len(lines) - 1, 0))) for _ in range(2))
        kind = draw(
            st.sampled_from(
                ["delete", "repeat", "swap", "truncate", "insert", "value", "indent", "key", "char"]
            )
        )
        if kind == "delete":  # a line, or a key with everything indented under it
            end = i + 1
            indent = len(lines[i]) - len(lines[i].lstrip())
            while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
                end += 1
            lines[i:end] = []
        elif kind == "repeat":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        elif kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(YAMLISH) + text[at:]
            continue
        elif kind == "value":  # the value of a key: another type, or a pasted oddity
            head, colon, _ = lines[i].partition(": ")
            lines[i] = f"{head}{colon or ': '}{draw(SCALAR)}"
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif kind == "key":
            stripped = lines[i].lstrip()
            _, colon, rest = stripped.partition(":")
            lines[i] = lines[i][: len(lines[i]) - len(stripped)] + draw(SCALAR) + colon + rest
        elif kind == "char" and lines[i]:
            at = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:at] + draw(st.sampled_from(PASTED + CONTROL)) + lines[i][at + 1 :]
        text = "\n".join(lines)
    return text


def real_text(name: str) -> str:
    return (CONTENT / name).read_text(encoding="utf-8")


# -- The loader alone: fast, so many examples ---------------------------------------------------------
@bounded(1000)
@given(text=YAMLISH)
def test_the_loader_reads_any_text_or_says_why(text):
    data, problems = load.parse_yaml(text, "x.yaml")
    if problems:
        assert data is None
        assert_ends_well(None, problems)


@bounded(300)
@given(value=yaml_values(), flow=st.sampled_from([None, True, False]))
def test_the_loader_reads_any_yaml_document(value, flow):
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow)
    data, problems = load.parse_yaml(text, "x.yaml")
    if problems:
        assert data is None
        assert_ends_well(None, problems)


# -- The whole check ------------------------------------------------------------------------------
@bounded(80)
@given(name=st.sampled_from(TINY_FILES), text=YAMLISH)
def test_any_text_in_a_content_file(tiny_tree, name, text):
    with replaced(tiny_tree / name, text):
        assert_ends_well(*pipeline.check(tiny_tree))


@bounded(50)
@given(name=st.sampled_from(TINY_FILES), data=st.binary(max_size=300))
def test_any_bytes_in_a_content_file(tiny_tree, name, data):
    with replaced(tiny_tree / name, data):
        assert_ends_well(*pipeline.check(tiny_tree))


@bounded(80)
@given(
    name=st.sampled_from(TINY_FILES),
    value=yaml_values(),
    flow=st.sampled_from([None, True, False]),
)
def test_any_yaml_document_in_a_content_file(tiny_tree, name, value, flow):
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow)
    with replaced(tiny_tree / name, text):
        assert_ends_well(*pipeline.check(tiny_tree))


@bounded(150)
@given(data=st.data(), name=st.sampled_from(REAL_FILES))
def test_mutations_of_the_real_content(real_tree, data, name):
    text = data.draw(mutated(real_text(name)), label="mutated")
    with replaced(real_tree / name, text):
        assert_ends_well(*pipeline.check(real_tree))


# -- The whole build ------------------------------------------------------------------------------
def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A tiny tree and a site built from it."""
    root = tmp_path_factory.mktemp("build")
    content = write_tree(root / "content", tiny_files())
    assert pipeline.build(content, root / "site") == []
    yield content, root / "site"


@bounded(30)
@given(data=st.data(), name=st.sampled_from(TINY_FILES))
def test_a_mutated_build_writes_a_whole_site_or_nothing(built, data, name):
    content, site = built
    text = data.draw(mutated((content / name).read_text(encoding="utf-8")), label="mutated")
    before = snapshot(site)
    with replaced(content / name, text):
        problems = pipeline.build(content, site)
    assert_ends_well(None if problems else True, problems)
    if problems:
        assert snapshot(site) == before, "a failed build changed the site"
    else:
        assert (site / "ja" / "index.html").exists()
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site-build-")]
