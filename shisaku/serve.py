"""The preview server: build, serve site/ on 127.0.0.1, rebuild on change, reload the page.

Three threads share one `Preview`: the watcher (watchfiles) asks the builder for a build when
content/, templates/ or schema/ change; the builder runs one build at a time and publishes its
status; the HTTP server (main thread) serves whatever site/ holds on each request, and streams
each new status to the open pages as Server-Sent Events.

The built files are never changed: the reload script is added only to the HTML as it is served,
as an external script (the site runs under a CSP that forbids inline script).

The server listens on 127.0.0.1 only, but a page on any web site can still reach it through
DNS rebinding (its own name made to resolve to 127.0.0.1): the browser then sends that name as
the Host header, so only requests for 127.0.0.1, localhost or [::1] are answered. Each
connection runs in its own thread with a socket timeout, so connections that send nothing (a
client that hung or vanished) are dropped after IDLE_TIMEOUT seconds instead of holding a
thread and a descriptor for ever; the event streams of open pages stay open, kept alive by a
comment every KEEP_ALIVE seconds.
"""

from __future__ import annotations

import argparse
import errno
import html
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import watchfiles
import yaml

from . import pipeline, portable, sitemap
from .load import display_path
from .problems import Warnings, summary
from .progress import Progress
from .render import TEMPLATES
from .rows import SCHEMA_DIR

HOST = "127.0.0.1"
PREVIEW = "/__preview/"
RELOAD_TAG = b'<script src="/__preview/reload.js" defer></script>'
# The Host headers answered: this computer's loopback names, with or without a port, in any case.
LOCAL_HOST = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?", re.IGNORECASE)
IDLE_TIMEOUT = 5.0  # seconds a connection may wait for its request, or a client to read
KEEP_ALIVE = 10.0  # seconds between comments on an idle event stream, so that it stays open
LOOK_EVERY = 1.0  # seconds between two looks at whether an event stream's page has gone
BACKLOG = 1024  # connections waiting to be accepted (the system may allow fewer)
ACCEPT_PAUSE = 0.1  # seconds to wait when out of file descriptors, rather than spin
STOP_WAIT = 2.0  # seconds to let a build in progress finish when stopping


MESSAGES = {
    "serving": {
        "en": "Serving {url} (Ctrl-C to stop)",
        "ja": "{url} で表示しています（Ctrl-C で終了）",
    },
    "built": {
        "en": "{clock} built in {seconds:.1f} s",
        "ja": "{clock} {seconds:.1f} 秒でビルドしました",
    },
    "kept": {
        "en": "{clock} the last good site is still served; fix the problems and save",
        "ja": "{clock} 前回成功したサイトを表示したままです。問題を直して保存してください",
    },
    "no_site": {
        "en": "{clock} every page shows the problems until they are fixed",
        "ja": "{clock} 問題が直るまで、すべてのページに問題の一覧を表示します",
    },
    "changed": {"en": "changed: {path}", "ja": "変更: {path}"},
    "port_in_use": {
        "en": "cannot listen on {host}:{port} ({detail}); choose another port with --port",
        "ja": "{host}:{port} で待ち受けできません（{detail}）。--port で別のポートを指定してください",
    },
    "goodbye": {"en": "Stopped.", "ja": "終了しました。"},
    "other_host": {
        "en": "This preview answers only requests for 127.0.0.1, localhost or [::1]; "
        "open the address that `python build.py serve` printed.",
        "ja": "このプレビューは 127.0.0.1、localhost、[::1] あての要求にだけ応えます。"
        "`python build.py serve` が表示したアドレスを開いてください。",
    },
    # In the browser: the overlay and the error page.
    "overlay_title": {
        "en": "The last change has problems; this page is from the last good build.",
        "ja": "最後の変更に問題があります。このページは前回成功したビルドのものです。",
    },
    "close": {"en": "Close", "ja": "閉じる"},
    "error_title": {"en": "The site could not be built", "ja": "サイトをビルドできませんでした"},
    "error_hint": {
        "en": "This page reloads by itself once the problems are fixed.",
        "ja": "問題を直すと、このページは自動で再読み込みされます。",
    },
}


def say(lang: str, key: str, **values: Any) -> str:
    return MESSAGES[key].get(lang, MESSAGES[key]["en"]).format(**values)


def clock() -> str:
    return datetime.now().strftime("%H:%M:%S")


# ---- the shared state ----------------------------------------------------------------------


@dataclass
class Status:
    """The last build, as /__preview/status and the event stream send it."""

    build: int = 0  # builds finished so far; 0 before the first
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    time: str = ""  # when it finished (ISO 8601)
    seconds: float = 0.0
    finished: float = field(default=0.0, repr=False)  # time.monotonic() at the end

    def to_json(self) -> bytes:
        data = asdict(self)
        del data["finished"]
        # How long ago it finished: the page compares it with its own age (performance.now())
        # to learn whether it was loaded before this build, without trusting wall clocks.
        data["age"] = round(time.monotonic() - self.finished, 3)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class Preview:
    """What the threads share: the site folder, the last status, and the stop signal."""

    def __init__(self, site: Path, lang: str) -> None:
        self.site = site  # not resolved: the pipeline swaps a new folder in at this path
        self.lang = lang
        self.base_path = "/"
        self.first_language = ""
        self.has_site = False  # a build of this session succeeded, so site/ is current
        self.status = Status()
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    def publish(self, status: Status, settings: tuple[str, str] | None) -> None:
        with self.changed:
            if status.ok:
                self.has_site = True
                if settings:
                    self.base_path, self.first_language = settings
            self.status = status
            self.changed.notify_all()

    def wait_for_build(self, after: int, timeout: float | None) -> Status:
        """The status once a build other than `after` has finished, or on timeout or stop."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.status.build != after or self.stopping.is_set(), timeout
            )
            return self.status

    def stop(self) -> None:
        with self.changed:
            self.stopping.set()
            self.changed.notify_all()

    def url(self, port: int) -> str:
        start = f"{self.first_language}/" if self.has_site and self.first_language else ""
        return f"http://{HOST}:{port}{self.base_path}{start}"


def site_settings(content: Path) -> tuple[str, str] | None:
    """base_path and the first language from site.yaml (read after a build has validated it)."""
    try:
        settings = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
        return settings["base_path"], settings["languages"][0]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None


# ---- building ------------------------------------------------------------------------------


class Builder(threading.Thread):
    """Runs the builds one after another: a request during a build starts one more after it."""

    def __init__(self, preview: Preview, args: argparse.Namespace) -> None:
        super().__init__(name="builder", daemon=True)
        self.preview, self.args = preview, args
        self.requested = threading.Event()
        self.count = 0

    def request(self) -> None:
        self.requested.set()

    def run(self) -> None:
        while True:
            self.requested.wait()
            if self.preview.stopping.is_set():
                return
            self.requested.clear()
            self.count += 1
            status = build(self.args, self.preview.lang, self.count)
            if self.preview.stopping.is_set():
                return  # Ctrl-C may have interrupted the build too: that failure is no news
            report(status, self.preview, self.args.quiet)
            self.preview.publish(status, site_settings(self.args.content) if status.ok else None)


def build(args: argparse.Namespace, lang: str, number: int) -> Status:
    """One build into args.out; problems as the pipeline prints them."""
    started = time.perf_counter()
    progress = Progress(quiet=args.quiet, verbose=args.verbose, lang=lang)
    try:
        # --strict: the warnings are problems, as in `build --strict` (else not shown here)
        strict = Warnings(strict=getattr(args, "strict", False))
        found = pipeline.build(args.content, args.out, progress=progress, warnings=strict)
        problems = [problem.format(lang) for problem in found]
    except Exception as error:
        # A broken template, say: shown like a problem; the server lives on.
        if args.verbose:
            traceback.print_exc()
        problems = [describe(error)]
    return Status(
        build=number,
        ok=not problems,
        problems=problems,
        summary=summary(len(problems), lang) if problems else "",
        time=datetime.now().astimezone().isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 2),
        finished=time.monotonic(),
    )


def describe(error: Exception) -> str:
    """An exception as one problem line: `file:line: message (type)` when it knows its place."""
    file, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    where = f"{display_path(Path(file))}:{line}: " if file and line else ""
    return f"{where}{error} ({type(error).__name__})"


def report(status: Status, preview: Preview, quiet: bool) -> None:
    """A line per build on the terminal; problems in the pipeline's format on stderr."""
    lang = preview.lang
    if status.ok:
        if not quiet:
            print(say(lang, "built", clock=clock(), seconds=status.seconds), flush=True)
        return
    for line in status.problems:
        print(line, file=sys.stderr)
    print(status.summary, file=sys.stderr, flush=True)
    if not quiet:
        key = "kept" if preview.has_site else "no_site"
        print(say(lang, key, clock=clock()), flush=True)


# ---- watching ------------------------------------------------------------------------------


class SourceFilter(watchfiles.DefaultFilter):
    """Changes the build reads; not editors' temporary files, backups or version control."""

    ignore_entity_patterns = (
        *watchfiles.DefaultFilter.ignore_entity_patterns,
        r"^\.",  # hidden: .foo.yaml.swp, .#foo (Emacs), .~lock.foo# (LibreOffice), .DS_Store
        r"^#.*#$",  # Emacs autosave
        r"^4913$",  # Vim's test that a folder is writable
        r"^~\$",  # Microsoft Office lock files
        r"\.(tmp|temp|bak|orig|rej|part|crdownload)$",
    )


def watch(
    folders: list[Path], out: Path, builder: Builder, preview: Preview, verbose: bool
) -> None:
    """Ask for a build after each settled batch of changes (watchfiles debounces them)."""
    changes_seen = watchfiles.watch(
        *folders,
        watch_filter=SourceFilter(ignore_paths=[str(out)]),  # an --out inside a watched folder
        stop_event=preview.stopping,
        raise_interrupt=False,  # the main thread handles Ctrl-C
    )
    for changes in changes_seen:
        if verbose:
            for _, path in sorted(changes, key=lambda change: change[1]):
                print(say(preview.lang, "changed", path=display_path(Path(path))), flush=True)
        builder.request()


# ---- serving -------------------------------------------------------------------------------


def content_type(path: Path) -> str:
    return sitemap.content_type(path.name)


def locate(site: Path, path: str, base_path: str) -> Path | str | None:
    """The file that serves a URL path, a URL to redirect to (a folder without its slash), or
    None for a 404. Resolved on every request: a rebuild swaps a new folder in at `site`."""
    if path + "/" == base_path:
        return base_path
    if not path.startswith(base_path):
        return None
    try:
        root = site.resolve()
        file = (root / path[len(base_path) :]).resolve()
        if not file.is_relative_to(root):  # ../ out of the site
            return None
        if file.is_dir():
            if not (file / "index.html").is_file():
                return None
            if not path.endswith("/"):
                return path + "/"
            file = file / "index.html"
        return file if file.is_file() else None
    except (OSError, ValueError):  # a NUL byte in the path, a name too long
        return None


def inject(page: bytes) -> bytes:
    """The HTML with the reload script before its last </body> (at the end if it has none)."""
    end = page.lower().rfind(b"</body>")
    if end < 0:
        return page + RELOAD_TAG
    return page[:end] + RELOAD_TAG + b"\n" + page[end:]


def error_page(status: Status, lang: str) -> bytes:
    """What every URL shows while no build of this session has succeeded."""
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in status.problems)
    page = f"""<!doctype html>
<html lang="{lang}" data-preview-error>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(say(lang, "error_title"))}</title>
</head>
<body>
<main>
<h1>{html.escape(say(lang, "error_title"))}</h1>
<ul>
{items}
</ul>
<p>{html.escape(status.summary)}</p>
<p>{html.escape(say(lang, "error_hint"))}</p>
</main>
</body>
</html>
"""
    return inject(page.encode("utf-8"))


def local_host(hosts: list[str] | None) -> bool:
    """Whether a request's Host headers name this computer by its loopback address or name:
    exactly one, 127.0.0.1, localhost or [::1], with or without a port, in any case. A page
    of another site that reaches us by DNS rebinding sends its own name; a request with no
    Host or several is refused too."""
    return hosts is not None and len(hosts) == 1 and bool(LOCAL_HOST.fullmatch(hosts[0].strip()))


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves the preview files under /__preview/ and the site under its base path."""

    preview: Preview  # set on the subclass that make_server makes
    verbose: bool = False
    server_version = "shisaku-preview"
    # The socket timeout of every connection: one that sends no request, or only part of one,
    # for this long is closed, and so is one that stops reading a response. (HTTP/1.0, as
    # BaseHTTPRequestHandler speaks by default: a connection ends with its one response.)
    timeout = IDLE_TIMEOUT

    def do_GET(self) -> None:
        self.route(with_body=True)

    def do_HEAD(self) -> None:
        self.route(with_body=False)

    def route(self, with_body: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        preview = self.preview
        if not local_host(self.headers.get_all("Host")):
            self.refuse_host(with_body)
        elif path == PREVIEW + "reload.js":
            self.send(200, "application/javascript", reload_script(preview.lang), with_body)
        elif path == PREVIEW + "status":
            self.send(200, "application/json", preview.status.to_json(), with_body)
        elif path == PREVIEW + "events":
            self.stream_events()
        elif not preview.has_site:
            page = error_page(preview.status, preview.lang)
            self.send(500, sitemap.CONTENT_TYPES[".html"], page, with_body)
        elif path == "/" and preview.base_path != "/":
            self.redirect(preview.base_path, 302)
        else:
            self.send_site_file(path, url.query, with_body)

    def send_site_file(self, path: str, query: str, with_body: bool) -> None:
        # A rebuild may swap the folder between finding a file and reading it: look again once.
        for attempt in range(2):
            found = locate(self.preview.site, path, self.preview.base_path)
            if isinstance(found, str):
                self.redirect(found + (f"?{query}" if query else ""), 301)
                return
            status, file = (200, found) if found else (404, self.preview.site / "404.html")
            try:
                body = file.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                if attempt == 0:
                    time.sleep(0.05)  # without renameat2, site/ is missing for an instant
                    continue
                status, file, body = 404, Path("404.txt"), b"Not Found\n"
            break
        if file.suffix == ".html":
            body = inject(body)
        self.send(status, content_type(file), body, with_body)

    def refuse_host(self, with_body: bool) -> None:
        """403 and a line of text for another Host: nothing of the site, and the connection
        closed, so that a page of another site that reached us learns nothing."""
        body = (say(self.preview.lang, "other_host") + "\n").encode("utf-8")
        self.send(403, "text/plain; charset=utf-8", body, with_body)

    def stream_events(self) -> None:
        """Server-Sent Events: the current status at once, then each new build's.

        The stream waits for builds, not on its socket, so the socket timeout does not end it;
        a comment every KEEP_ALIVE seconds keeps it open through anything between. The thread
        ends when the page has gone: its socket reads as closed (looked at every LOOK_EVERY
        seconds), a write fails, or a page that stopped reading lets a write wait past the
        socket timeout."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")  # reconnect quickly after a restart of the server
        seen = -1
        written = time.monotonic()
        try:
            while not self.preview.stopping.is_set():
                status = self.preview.wait_for_build(seen, LOOK_EVERY)
                if self.preview.stopping.is_set():
                    return
                if status.build != seen:
                    self.wfile.write(b"data: " + status.to_json() + b"\n\n")
                    seen, written = status.build, time.monotonic()
                elif self.client_gone():
                    return
                elif time.monotonic() - written >= KEEP_ALIVE:
                    self.wfile.write(b": keep-alive\n\n")
                    written = time.monotonic()
        except (ConnectionError, TimeoutError):
            return  # the page was closed or reloaded, or its client stopped reading

    def client_gone(self) -> bool:
        """Whether the client of an event stream has closed its end: it sends nothing after
        its request, so its socket is readable only once closed (or reset)."""
        connection = self.connection
        try:
            connection.settimeout(0)
            return connection.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False  # nothing to read: still there
        except OSError:
            return True
        finally:
            connection.settimeout(self.timeout)

    def send(self, status: int, kind: str, body: bytes, with_body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the new build
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def redirect(self, location: str, status: int) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose:
            super().log_message(format, *args)


class Server(http.server.ThreadingHTTPServer):
    """A thread per connection, each with the handler's socket timeout."""

    daemon_threads = True  # open event streams must not keep the process alive
    # Many connections at once (a page's requests, or thousands left by a client that hung)
    # wait in the system's queue for their turn; with socketserver's 5 the rest are refused
    # or retried by the client a second or more later.
    request_queue_size = BACKLOG

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            return super().get_request()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE):
                # Out of descriptors: socketserver would try again at once, and again, at
                # full speed, until the idle connections time out and free some.
                time.sleep(ACCEPT_PAUSE)
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser left mid-response, as it does on every reload, or hung
        super().handle_error(request, client_address)


def make_server(port: int, preview: Preview, verbose: bool) -> Server:
    handler = type("PreviewHandler", (Handler,), {"preview": preview, "verbose": verbose})
    return Server((HOST, port), handler)


def reload_script(lang: str) -> bytes:
    text = {"lang": lang, "title": say(lang, "overlay_title"), "close": say(lang, "close")}
    return RELOAD_JS.replace("__TEXT__", json.dumps(text, ensure_ascii=False)).encode("utf-8")


RELOAD_JS = """\
// Live reload for `python build.py serve`; the server adds it to the HTML it serves, never to site/.
(() => {
  "use strict";
  const TEXT = __TEXT__;
  const ID = "shisaku-preview-overlay";
  const onErrorPage = document.documentElement.hasAttribute("data-preview-error");
  let shown = null; // the failed build the overlay shows, so a reconnect does not repeat it

  // Did this build finish after the page began to load? Both ages come from monotonic clocks.
  const newerThanPage = (status) => status.age * 1000 < performance.now();

  function element(tag, text) {
    const node = document.createElement(tag);
    if (text) node.append(document.createTextNode(text));
    return node;
  }

  function closeOverlay() {
    document.getElementById(ID)?.remove();
  }

  function showOverlay(status) {
    closeOverlay();
    const box = element("div");
    box.id = ID;
    box.lang = TEXT.lang;
    box.setAttribute("role", "alert");
    // Styles through the CSSOM: the site's CSP forbids style attributes in markup.
    Object.assign(box.style, {
      position: "fixed", insetInline: "0", top: "0", zIndex: "2147483647",
      maxHeight: "60vh", overflow: "auto", padding: "1rem 1.25rem",
      background: "#fff", color: "#1a1a1a", borderBottom: "4px solid #b3261e",
      boxShadow: "0 2px 12px rgba(0, 0, 0, 0.35)", font: "16px/1.5 system-ui, sans-serif",
    });
    const title = element("p");
    title.append(element("strong", TEXT.title));
    const list = element("ul");
    list.style.fontFamily = "ui-monospace, monospace";
    for (const line of status.problems) list.append(element("li", line));
    const close = element("button", TEXT.close);
    close.type = "button";
    close.addEventListener("click", closeOverlay);
    box.append(title, list, element("p", status.summary), close);
    document.body.append(box);
  }

  function onStatus(event) {
    const status = JSON.parse(event.data);
    if (status.ok || onErrorPage) {
      if (newerThanPage(status)) location.reload();
    } else if (status.build !== shown) {
      shown = status.build;
      showOverlay(status);
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeOverlay();
  });
  new EventSource("/__preview/events").addEventListener("message", onStatus);
})();
"""


# ---- the command ---------------------------------------------------------------------------


def interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl-C does; handled in run()


def run(args: argparse.Namespace, lang: str) -> int:
    """Build, serve, watch and rebuild until Ctrl-C or SIGTERM; exit 0 then."""
    site = Path(os.path.abspath(args.out))
    args.out = site  # the watcher and the server must agree with the pipeline on the folder
    preview = Preview(site, lang)
    portable.more_open_files()  # a descriptor per connection: more than 256 or 1,024 of them
    try:
        server = make_server(args.port, preview, args.verbose)
    except OSError as error:
        print(
            say(lang, "port_in_use", host=HOST, port=args.port, detail=error.strerror),
            file=sys.stderr,
        )
        return 2
    builder = Builder(preview, args)
    folders = [p for p in (args.content, TEMPLATES, SCHEMA_DIR) if p.is_dir()]
    watcher = threading.Thread(
        target=watch, args=(folders, site, builder, preview, args.verbose), daemon=True
    )
    # Both set explicitly: a shell starting us in the background may have left SIGINT ignored.
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.start()  # before the first build, so edits made during it are not missed
        builder.start()
        builder.request()
        preview.wait_for_build(0, None)
        print(say(lang, "serving", url=preview.url(server.server_port)), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not interrupt the shutdown with a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(preview, server, builder, watcher)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not args.quiet:
        print(say(lang, "goodbye"), flush=True)
    return 0


def stop(preview: Preview, server: Server, builder: Builder, watcher: threading.Thread) -> None:
    """Stop the watcher, the event streams, the builder (after its build) and the server."""
    preview.stop()
    builder.request()  # wake it so it sees the stop
    builder.join(STOP_WAIT)
    watcher.join(1.0)
    server.server_close()
