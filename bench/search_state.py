"""What the build keeps of the search index, before and after a change of shisaku/search.py.

    python bench/search_state.py --site SITE [--before REV]

Loads search.py as it is at REV (git show) and as it is in the work tree, gives both the
documents of a built site's pages, and prints for each: the time of a full index, the size of
what the build cache keeps (the index, and the index with the pages' documents as
BuildCache holds them), the time to pickle, hash and unpickle it, the memory it takes once
unpickled, and the time of a one-project edit (its two pages) and of one page added on the
unpickled index. The files of the two versions are compared, after the full index and after
the edit.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import pickle
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revision import module_at  # noqa: E402

from shisaku import search as search_now  # noqa: E402

RUNS = 3  # each timing is the best of these: the machine is shared


def site_documents(site: Path) -> list[tuple[str, str, str, str]]:
    """(url, lang, title, text) of every searchable page, as the build extracts them."""
    found = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        url = relative.removesuffix("index.html")
        document = search_now.extract(path.read_text(encoding="utf-8"), url, url.split("/")[0])
        if document is not None:
            found.append((document.url, document.lang, document.title, document.text))
    return sorted(found, key=lambda d: (d[1], d[0]))


def best(work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest time of RUNS runs, and what the last one gave."""
    times = []
    for _ in range(RUNS):
        gc.collect()
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    return min(times), value


def full_index(module: ModuleType, documents: list[Any]) -> tuple[Any, dict[str, bytes]]:
    """A fresh index of the documents, and its files (either version's interface)."""
    if hasattr(module.Index, "paths"):
        index = module.Index()
        return index, index.replace(documents)
    index = module.Index(documents)
    return index, dict(index.files)


def without_documents(value: Any, document_type: type) -> bytes:
    """value pickled with its documents left out, as references: what the index adds to a
    build cache that holds the documents anyway."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda item: id(item) if type(item) is document_type else None
    pickler.dump(value)
    return stream.getvalue()


def with_documents(data: bytes, documents: dict[int, Any]) -> Any:
    """What without_documents pickled, its documents put back."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = documents.__getitem__
    return unpickler.load()


def held_bytes(data: bytes) -> int:
    """The memory the unpickled object takes."""
    gc.collect()
    tracemalloc.start()
    value = pickle.loads(data)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del value
    return held


def edited(module: ModuleType, documents: list[Any]) -> list[Any]:
    """One project's two pages (ja and en), their text changed as an edit of its summary."""
    project = next(d for d in documents if d.url.startswith("ja/projects/"))
    twin = "en" + project.url.removeprefix("ja")
    return [
        module.Document(
            d.url, d.lang, d.title, d.text + " 令和7年度に見直した。 Revised in FY2025."
        )
        for d in documents
        if d.url in (project.url, twin)
    ]


def added(module: ModuleType, documents: list[Any]) -> Any:
    """A new project page, numbered among the others (all of them are numbered anew)."""
    model = next(d for d in documents if d.url.startswith("ja/projects/"))
    return module.Document("ja/projects/zz-new/", "ja", model.title + "（新）", model.text)


def edit_time(index: Any, change: list[Any]) -> tuple[float, dict[str, bytes | None]]:
    """The shortest time of RUNS replaces of the change, each on a copy of the unpickled index."""
    data = pickle.dumps(index, pickle.HIGHEST_PROTOCOL)
    times = []
    for _ in range(RUNS):
        copy = pickle.loads(data)
        gc.collect()
        start = time.perf_counter()
        written = copy.replace(change, [])
        times.append(time.perf_counter() - start)
    return min(times), written


def measure(label: str, module: ModuleType, rows: list[tuple[str, str, str, str]]) -> dict:
    documents = [module.Document(*row) for row in rows]
    full_time, (index, files) = best(lambda: full_index(module, documents))
    cached = ({d.url: d for d in documents}, index)  # as BuildCache holds them: shared objects
    figures: dict[str, Any] = {"files": files, "full index s": full_time}
    for name, value in (("index", index), ("index + documents", cached)):
        dump_time, data = best(lambda value=value: pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        hash_time, _ = best(lambda data=data: hashlib.sha256(data).digest())
        load_time, _ = best(lambda data=data: pickle.loads(data))
        figures[f"{name}: pickled MB"] = len(data) / 1e6
        figures[f"{name}: pickle s"] = dump_time
        figures[f"{name}: sha256 s"] = hash_time
        figures[f"{name}: unpickle s"] = load_time
        figures[f"{name}: held MB"] = held_bytes(data) / 1e6
    by_id = {id(document): document for document in documents}
    dump_time, data = best(lambda: without_documents(index, module.Document))
    load_time, _ = best(lambda: with_documents(data, by_id))
    figures["index, documents aside: pickled MB"] = len(data) / 1e6
    figures["index, documents aside: pickle s"] = dump_time
    figures["index, documents aside: unpickle s"] = load_time
    figures["one-project edit s"], written = edit_time(index, edited(module, documents))
    figures["one page added s"], _ = edit_time(index, [added(module, documents)])
    figures["one-project edit: files written"] = len(written)
    figures["written"] = written
    print(f"measured {label}", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--site", type=Path, required=True, help="a site built by build.py")
    parser.add_argument("--before", default="main", help="git revision of the old search.py")
    args = parser.parse_args()
    rows = site_documents(args.site)
    print(f"{len(rows)} searchable pages of {args.site}", file=sys.stderr)
    before = measure(
        args.before, module_at(args.before, "shisaku/search.py", "search_before"), rows
    )
    after = measure("work tree", search_now, rows)
    print(f"| {len(rows)} pages | before ({args.before}) | after | after / before |")
    print("|---|---|---|---|")
    for name, old in before.items():
        if name in ("files", "written"):
            continue
        new = after[name]
        ratio = f"{new / old:.2f}" if old else ""
        print(f"| {name} | {old:.3f} | {new:.3f} | {ratio} |")
    print(f"same files after the full index: {before['files'] == after['files']}")
    print(f"same files written by the edit: {before['written'] == after['written']}")


if __name__ == "__main__":
    main()
