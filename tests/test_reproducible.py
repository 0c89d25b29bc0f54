"""Reproducible builds: the same content gives the same site/, byte for byte, wherever and whenever
it is built; SOURCE_DATE_EPOCH moves the release time and nothing else; nothing in site/ tells
where, by whom or on what day it was built."""

from __future__ import annotations

import datetime
import getpass
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from shisaku import data, load, model, pipeline, validate
from shisaku.formats import Formatter

from .conftest import CONTENT, ROOT

# The files that show the release time: the data package (its `created`, the zip's and the
# workbook's timestamps), the catalogue (dct:issued, dct:modified, and the sizes and hashes of
# those files) and the data pages (schema.org dateModified and contentSize in the page head).
RELEASE_TIME_FILES = {
    "data/datapackage.json",
    "data/132225_datapackage.zip",
    "data/132225_projects.xlsx",
    "catalog.ttl",
    "catalog.jsonld",
    "ja/data/index.html",
    "en/data/index.html",
}
EPOCHS = (1700000000, 1800000000)  # 2023-11-14T22:13:20Z and 2027-01-15T08:00:00Z


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a site by its path inside it; folders as empty entries."""
    return {
        p.relative_to(site).as_posix(): (b"" if p.is_dir() else p.read_bytes())
        for p in sorted(site.rglob("*"))
    }


def clean_environment(**changes: str) -> dict[str, str]:
    """The test's environment without SOURCE_DATE_EPOCH (set in CI it would hide the clock)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, **changes}


def build(content: Path | str, out: Path | str, cwd: Path, **env: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)],
        cwd=cwd,
        env=clean_environment(**env),
        check=True,
    )


def differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))


def test_builds_anywhere_at_any_time_give_the_same_bytes(tmp_path):
    # One build as the README says, in the repository with relative paths...
    first = tmp_path / "first" / "site"
    build("content", first, cwd=ROOT, PYTHONHASHSEED="1", TZ="UTC", LC_ALL="C.UTF-8")
    # ...the other a wall-clock second later, from a copy elsewhere (a space and Japanese in its
    # path), in another working folder, another time zone (a day ahead of UTC for 14 hours of
    # every day), another locale, another hash seed, into an output folder of another name.
    started = int(time.time())
    while int(time.time()) == started:
        time.sleep(0.05)
    content = Path(shutil.copytree(CONTENT, tmp_path / "別の 場所" / "content"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    second = tmp_path / "second" / "public"
    build(
        content,
        second,
        cwd=elsewhere,
        PYTHONHASHSEED="2",
        TZ="Pacific/Kiritimati",
        LC_ALL="ja_JP.UTF-8",
        LANG="ja_JP.UTF-8",
    )
    one, other = tree(first), tree(second)
    assert differences(one, other) == []


# -- SOURCE_DATE_EPOCH ---------------------------------------------------------------------------
def release_stamps(epoch: int) -> list[str]:
    """How the release time is written in the files: a date-time and a date, in UTC."""
    when = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    return [when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.strftime("%Y-%m-%d")]


def normalized(text: str, epoch: int, sizes: set[int]) -> str:
    """A file with the release time, the sizes of the files that hold it, and hashes blanked."""
    for stamp in release_stamps(epoch):
        text = text.replace(stamp, "<release time>")
    text = re.sub(r"[0-9a-f]{64}", "<sha256>", text)
    for size in sizes:
        text = re.sub(rf"(?<![0-9]){size}(?![0-9])", "<size>", text)
        text = text.replace(Formatter("en").size(size), "<size>")  # as the data page shows it
    return text


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_times(data: bytes) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.date_time for info in archive.infolist()}


def assert_same_but_the_release_time(
    name: str, files: tuple[bytes, bytes], sizes: tuple[set[int], set[int]]
) -> None:
    """Two versions of a file that may differ only where the release time shows."""
    if name.endswith((".zip", ".xlsx")):
        for data, epoch in zip(files, EPOCHS, strict=True):
            when = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
            # The package's zip dates its files with the release; the parts of a workbook are
            # dated 1980-01-01 whatever the clock (its date is in its properties).
            fixed = (1980, 1, 1, 0, 0, 0) if name.endswith(".xlsx") else when.timetuple()[:6]
            assert zip_times(data) == {fixed}, name
        members = [zip_members(data) for data in files]
        assert members[0].keys() == members[1].keys(), name
        for member in members[0]:
            assert_same_but_the_release_time(
                f"{name}/{member}", (members[0][member], members[1][member]), sizes
            )
        return
    texts = [
        normalized(data.decode("utf-8"), epoch, size)
        for data, epoch, size in zip(files, EPOCHS, sizes, strict=True)
    ]
    assert texts[0] == texts[1], name


def test_source_date_epoch_changes_the_release_time_and_nothing_else(tmp_path, monkeypatch):
    sites = []
    for epoch in EPOCHS:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        site = tmp_path / str(epoch) / "site"
        assert pipeline.build(CONTENT, site) == []
        sites.append(tree(site))
    first, second = sites
    assert set(differences(first, second)) == RELEASE_TIME_FILES
    # The sizes of the zip and the workbook may change with their timestamps, and show in the
    # descriptor, the catalogue and the data pages.
    sizes = tuple(
        {len(site["data/132225_datapackage.zip"]), len(site["data/132225_projects.xlsx"])}
        - {len(other["data/132225_datapackage.zip"]), len(other["data/132225_projects.xlsx"])}
        for site, other in ((first, second), (second, first))
    )
    for name in sorted(RELEASE_TIME_FILES):
        assert_same_but_the_release_time(name, (first[name], second[name]), sizes)
    assert b'"created": "2023-11-14T22:13:20Z"' in first["data/datapackage.json"]
    assert b'"created": "2027-01-15T08:00:00Z"' in second["data/datapackage.json"]


# -- Nothing about the machine, the person or the day ----------------------------------------------
def readable_parts(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """A file's bytes as a person could read them: zip members (the xlsx too) and gzip
    opened, recursively."""
    if data[:4] == b"PK\x03\x04":
        for member, inner in zip_members(data).items():
            yield from readable_parts(f"{name}/{member}", inner)
    elif data[:2] == b"\x1f\x8b":
        yield from readable_parts(f"{name} (gunzipped)", gzip.decompress(data))
    else:
        yield name, data


def today_written(today: datetime.date) -> list[str]:
    """Today's date the ways a page, a data file or a library might write it."""
    reiwa = today.year - 2018
    return [
        today.isoformat(),
        today.strftime("%Y/%m/%d"),
        today.strftime("%Y%m%d"),
        f"{today.year}年{today.month}月{today.day}日",
        f"令和{reiwa}年{today.month}月{today.day}日",
        today.strftime("%B %-d, %Y"),
        today.strftime("%-d %B %Y"),
        today.strftime("%b %-d, %Y"),
        today.strftime("%-d %b %Y"),
    ]


def test_no_file_tells_where_by_whom_or_when_it_was_built(tmp_path):
    today = datetime.date.today()
    updated = "2024-05-01" if today.isoformat() != "2024-05-01" else "2024-05-02"
    content = Path(shutil.copytree(CONTENT, tmp_path / "content-marker-7f3a" / "content"))
    site_yaml = content / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(
        re.sub(r'updated: "[0-9-]+"', f'updated: "{updated}"', text), encoding="utf-8"
    )
    # Outside the content's folder, so that the build knows the content by its absolute path.
    cwd = tmp_path / "cwd-marker-c41d"
    cwd.mkdir()
    site = tmp_path / "out-marker-9e2b" / "site"
    build(content, site, cwd=cwd)

    user = getpass.getuser()
    forbidden = [
        str(content),
        str(site),
        str(cwd),
        str(tmp_path),
        str(ROOT),  # the templates' and schemas' folder
        str(Path.home()) + "/",
        f"/{user}/",  # in a path; the name alone ("root") is a common word in CSS and JS
        *today_written(today),
    ]
    found = []
    for name, content_bytes in tree(site).items():
        for part, readable in readable_parts(name, content_bytes):
            found += [(part, word) for word in forbidden if word.encode("utf-8") in readable]
    assert found == []
    release = tuple(int(x) for x in updated.split("-"))
    package_zip, workbook = (
        site / "data/132225_datapackage.zip",
        site / "data/132225_projects.xlsx",
    )
    assert {t[:3] for t in zip_times(package_zip.read_bytes())} == {release}
    assert zip_times(workbook.read_bytes()) == {(1980, 1, 1, 0, 0, 0)}  # the workbook's fixed date
    core = zip_members(workbook.read_bytes())["docProps/core.xml"].decode()
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{updated}T' in core


@pytest.mark.parametrize("epoch", ["", "not a number"])
def test_a_missing_or_bad_source_date_epoch_falls_back_to_the_updated_date(epoch, monkeypatch):
    """Never the clock: without a usable SOURCE_DATE_EPOCH the release time is site.yaml's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    validated, problems = validate.validate(load.load(CONTENT))
    assert problems == [] and validated is not None
    site = model.build_model(validated.records)
    assert data.release_time(site).date().isoformat() == site.settings["updated"]
