"""End-to-end helpers: the pages to visit, a static server for the base path, a page watcher.

The fixtures that use these are in conftest_browser.py; test modules load them with
`pytest_plugins = ["tests.conftest_browser"]`.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from shisaku.serve import content_type

from .conftest import CONTENT, ROOT

SETTINGS = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
BASE_PATH: str = SETTINGS["base_path"]  # "/shisaku-hokoku/"
BASE_URL: str = SETTINGS["base_url"].rstrip("/") + BASE_PATH  # where the site is published
LANGUAGES: list[str] = SETTINGS["languages"]
HOST = "127.0.0.1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LIGHTHOUSE = ROOT / ".cache" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PA11Y = ROOT / ".cache" / "pa11y" / "node_modules" / ".bin" / "pa11y"
VNU_JAR = ROOT / ".cache" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
INSTALL_HINT = "run `bash tests/install.sh` (the README's test command does)"

# Every page type, as a path inside the site ({lang} is filled in). The Markdown pages come from
# content/pages/; tests skip those that are not written yet.
PAGES = {
    "home": "{lang}/",
    "policy": "{lang}/policies/chiiki-keizai/",
    "project": "{lang}/projects/shotengai-challenge/",
    "table": "{lang}/projects/",
    "division": "{lang}/divisions/sangyo-seisaku/",
    "divisions": "{lang}/divisions/",
    "data": "{lang}/data/",
    "about": "{lang}/about/",
    "terms": "{lang}/terms/",
    "accessibility": "{lang}/accessibility/",
    "search": "{lang}/search/",
}
MARKDOWN_PAGES = {"about", "terms", "accessibility"}
# Pages in no one language: the language chooser at the root, and what a missing URL gets.
SINGLE_PAGES = {"root": "", "404": "ja/projects/no-such-project/"}


def page_cases(names=tuple(PAGES), xfail: dict[str, str] | None = None) -> list:
    """(name, lang) pairs for parametrize, with ids like "project-en"; `xfail` maps a page name
    to the reason it is known to fail (strict: the test says so once it passes)."""
    xfail = xfail or {}
    return [
        pytest.param(
            name,
            lang,
            id=f"{name}-{lang}",
            marks=[pytest.mark.xfail(strict=True, reason=xfail[name])] if name in xfail else [],
        )
        for name in names
        for lang in LANGUAGES
    ]


def page_path(name: str, lang: str) -> str:
    return PAGES[name].format(lang=lang)


def skip_if_not_written(site: Path, name: str, lang: str) -> None:
    """Markdown pages are still being written: skip those that content/pages/ lacks."""
    if name in MARKDOWN_PAGES and not (site / page_path(name, lang) / "index.html").is_file():
        pytest.skip(f"content/pages/ has no {name!r} page in {lang} yet")


def build_site(out: Path, content: Path | None = None) -> Path:
    """`python build.py --out DIR` (of content/, or of another content folder), failing the
    test with the build's own messages."""
    chosen = ["--content", str(content)] if content else []
    result = subprocess.run(
        [sys.executable, "build.py", "--out", str(out), "--lang", "en", *chosen],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"python build.py failed:\n{result.stderr}{result.stdout}", pytrace=False)
    return out


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def missing_tool(*tools: str) -> str | None:
    """Why a tool the tests need is not here (with how to install it), or None when all are."""
    for tool in tools:
        if tool == "chromium" and not CHROMIUM.is_file():
            return f"Chromium is not installed at {CHROMIUM}: {INSTALL_HINT}"
        if tool == "java" and shutil.which("java") is None:
            return f"Java is not installed (the Nu Html Checker needs it): {INSTALL_HINT}"
        if tool == "lighthouse" and not LIGHTHOUSE.is_file():
            return f"lighthouse is not at {LIGHTHOUSE}: {INSTALL_HINT}"
        if tool == "pa11y" and not PA11Y.is_file():
            return f"pa11y is not at {PA11Y}: {INSTALL_HINT}"
        if tool == "vnu" and not VNU_JAR.is_file():
            return f"vnu.jar is not at {VNU_JAR}: {INSTALL_HINT}"
    return None


# ---- the HTTP server ------------------------------------------------------------------------


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte a "Range: bytes=A-B" header asks for (A-, -N too), or None."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header or "")
    if not match or match[1] == match[2] == "":
        return None
    if match[1] == "":
        return max(size - int(match[2]), 0), size - 1
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    return int(match[1]), last


def host_rules(root: Path) -> list[tuple[str, dict[str, str]]]:
    """The rules of root/_headers, as Netlify and Cloudflare Pages read them: a URL pattern
    (a * at the end matches any rest), then its indented "Name: value" lines."""
    file = root / "_headers"
    rules: list[tuple[str, dict[str, str]]] = []
    if not file.is_file():
        return rules
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "\t")):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def host_headers_for(root: Path, path: str) -> dict[str, str]:
    """The headers every rule matching the URL path adds; a later rule's win."""
    found: dict[str, str] = {}
    for pattern, headers in host_rules(root):
        if pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1])):
            found.update(headers)
    return found


class SiteHandler(http.server.BaseHTTPRequestHandler):
    """Serves the folder `root` at BASE_PATH, as the static host will.

    `dir/` serves `dir/index.html`; `dir` without its slash redirects to `dir/`; anything else
    that is missing, or outside the base path, gets 404.html with status 404.
    """

    root: Path  # set on the subclass that `serving` makes

    @classmethod
    def serving(cls, root: Path) -> type[SiteHandler]:
        return type("Handler", (cls,), {"root": root.resolve()})

    def do_GET(self) -> None:
        self.respond(with_body=True)

    def do_HEAD(self) -> None:
        self.respond(with_body=False)

    def respond(self, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        file = self.resolve(path)
        if file is not None and file.is_dir():
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 200
        if file is None:
            status, file = 404, self.root / "404.html"
        body = file.read_bytes()
        headers = {"Content-Type": content_type(file), "Accept-Ranges": "bytes"}
        part = byte_range(self.headers.get("Range"), len(body)) if status == 200 else None
        if part is not None:  # as static hosts answer a client that reads a file in parts
            start, end = part
            headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
            status, body = 206, body[start : end + 1]
        self.send_response(status)
        headers.update(host_headers_for(self.root, path))  # as a host that reads _headers would
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def resolve(self, path: str) -> Path | None:
        """The file that serves a URL path, a folder to redirect to with a slash, or None."""
        if not path.startswith(BASE_PATH):
            return None
        file = (self.root / path[len(BASE_PATH) :]).resolve()
        if not file.is_relative_to(self.root):
            return None
        if path.endswith("/"):
            file = file / "index.html"
        if file.is_file() or (file.is_dir() and (file / "index.html").is_file()):
            return file
        return None

    def log_message(self, format: str, *args) -> None:
        pass  # quiet: the tests report what went wrong


# ---- watching a page ------------------------------------------------------------------------


class Watch:
    """What pages in a browser context did wrong: console errors, uncaught exceptions, failed
    requests, error statuses, and requests to any host but 127.0.0.1 (blocked, and listed)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.other_hosts: list[str] = []
        self.expected_status: dict[str, int] = {}  # URL -> an error status it should have

    def attach(self, context) -> None:
        context.route("**/*", self.route)
        context.on("page", self.attach_page)

    def attach_page(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def route(self, route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != HOST:
            self.other_hosts.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs an error status as "Failed to load resource"; an expected one is fine.
        text, url = message.text, message.location.get("url", "")
        if url in self.expected_status and "status of" in text:
            return
        self.problems.append(f"console error: {text} ({url})")

    def on_request_failed(self, request) -> None:
        if request.url in self.other_hosts:  # those are reported on their own
            return
        # Cancelled by the browser itself, as when a click leaves the page before its favicon
        # came: no fault of the site (a missing file shows as an error status instead).
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response) -> None:
        if response.status >= 400 and self.expected_status.get(response.url) != response.status:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def report(self) -> str:
        lines = self.problems + [f"request to another host: {url}" for url in self.other_hosts]
        return "\n".join(lines)


def serve(site: Path) -> Iterator[str]:
    """A built site served under its base path on a free port, until the generator is closed."""
    yield from serve_with(SiteHandler.serving(site), BASE_PATH)


def serve_as_published(content: Path, folder: Path) -> Iterator[str]:
    """A copy of `content` built into folder/site with base_url set to a local server's, and
    served there as a host would (site/_headers applied), so that every URL the catalogue and
    the data give answers: the site's URL, until the generator is closed."""
    from shisaku import pipeline

    server = http.server.ThreadingHTTPServer((HOST, 0), SiteHandler.serving(folder / "site"))
    server.daemon_threads = True
    base_url = f"http://{HOST}:{server.server_port}"
    copy = Path(shutil.copytree(content, folder / "content"))
    settings = copy / "site.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        re.sub(r"^base_url: .*$", f"base_url: {base_url}", text, flags=re.M), encoding="utf-8"
    )
    problems = pipeline.build(copy, folder / "site")
    assert problems == [], problems
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield base_url + BASE_PATH
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def serve_with(handler: Any, path: str) -> Iterator[str]:
    """An HTTP server with this request handler on a free port, in a thread, until the
    generator is closed; its URL with path."""
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
