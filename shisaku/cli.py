"""Commands: build (the default), check, serve, new, import. Exit 0 when all is well, 1 on
problems in the content, 2 on a command that is wrong; never a traceback for a user's mistake."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from . import fingerprint
from .problems import Problem, Warnings, message_language, print_problems
from .progress import Progress

TEMPLATES = (
    Path(__file__).resolve().parent.parent / "templates"
)  # as render.TEMPLATES, without importing Jinja

COMMANDS = {
    "build": "validate content/ and write the site to site/ (the default)",
    "check": "validate content/ only; write nothing",
    "serve": "build, serve site/ on 127.0.0.1, rebuild on every change and reload the page",
    "new": "write a new content file to fill in (python build.py new project --help)",
    "import": "read a spreadsheet (.xlsx or .csv) into content/ YAML files",
}


PORT_ERROR = {
    "en": "{text!r} is not a port number: give a whole number from 0 to 65535 (0: any free port)",
    "ja": "「{text}」はポート番号ではありません。0 から 65535 までの整数を指定してください"
    "（0 なら空いているポートを選びます）",
}


def port_number(lang: str) -> Callable[[str], int]:
    """The type of --port: a TCP port, 0 to 65535, or argparse's error (exit 2) in `lang`,
    rather than the OverflowError that the socket gives for 70000."""

    def port(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = -1
        if not 0 <= number <= 65535:
            raise argparse.ArgumentTypeError(PORT_ERROR[lang].format(text=text))
        return number

    return port


def early_language(argv: list[str]) -> str:
    """The language of messages before the arguments are parsed (for argparse's errors of our
    own): --lang ja or --lang=ja where given, else the locale's."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("ja", "en"):
            return argv[i + 1]
        if arg in ("--lang=ja", "--lang=en"):
            return arg.removeprefix("--lang=")
    return message_language(None)


def common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="the content folder (default: content)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("site"), help="the output folder (default: site)"
    )
    p.add_argument(
        "--lang", choices=["ja", "en"], help="language of messages (default: from the locale)"
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but problems")
    p.add_argument("--verbose", action="store_true", help="print the time each stage takes")


def parser(command: str = "", lang: str = "en") -> argparse.ArgumentParser:
    """The command line; the arguments of `new` and `import` only when that is the command
    (their modules import openpyxl, which a build does not need); our own errors in lang."""
    p = argparse.ArgumentParser(prog="python build.py", description="Build the policy report site.")
    commands = p.add_subparsers(dest="command", metavar="command")
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        common_options(sub)
        if name in ("build", "check", "serve"):
            sub.add_argument(
                "--strict",
                action="store_true",
                help="warnings (such as a project gone from the next year's report with no "
                "end_note) are problems: exit 1, nothing written",
            )
        if name == "serve":
            sub.add_argument(
                "--port",
                type=port_number(lang),
                default=8000,
                help="the port on 127.0.0.1, 0 to 65535 (default: 8000; 0: any free port)",
            )
        if name == "new" == command:
            from . import scaffold

            scaffold.add_arguments(sub)
        if name == "import" == command:
            from . import importer

            importer.add_arguments(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = parser(argv[0], early_language(argv)).parse_args(argv)
    lang = message_language(args.lang)
    progress = Progress(quiet=args.quiet, verbose=args.verbose, lang=lang)
    warnings = Warnings(strict=getattr(args, "strict", False))
    if args.command == "check":
        from . import pipeline

        problems = pipeline.check(args.content, progress, warnings=warnings)[1]
        return print_problems(said(problems, warnings), lang)
    if args.command == "serve":
        from . import serve

        return serve.run(args, lang)
    if args.command == "new":
        from . import scaffold

        return scaffold.run(args, lang)
    if args.command == "import":
        from . import importer

        return importer.run(args, lang)
    inputs = fingerprint.inputs_digest(args.content, TEMPLATES)
    # A site built in spite of warnings is not one that --strict would build.
    if not warnings.strict and fingerprint.unchanged(fingerprint.output_folder(args.out), inputs):
        with progress.stage("nothing changed"):
            return 0
    from . import pipeline  # the libraries it needs take a while to import: not when unchanged

    problems = pipeline.build(args.content, args.out, TEMPLATES, progress, inputs, warnings)
    return print_problems(said(problems, warnings), lang)


def said(problems: list[Problem], warnings: Warnings) -> list[Problem]:
    """The problems and the warnings, each once, by file and line, as they are printed."""
    from .validate import sort_problems

    return sort_problems(problems + warnings.found)
