"""Entry point: `python build.py [command]`; see `python build.py --help`."""

import os
import sys

from shisaku.cli import main

if __name__ == "__main__":
    # Every file is written and closed and every child process joined when main returns. A
    # build holds hundreds of MB of objects that the interpreter would free one by one
    # (a few tenths of a second at 10,000 projects): they are left in this list, and the
    # process ends without freeing anything.
    left: list[object] = []
    status = main(leave=left)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
