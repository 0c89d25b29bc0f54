"""Entry point: `python build.py [command]`; see `python build.py --help`."""

import os
import sys

from shisaku.cli import main

if __name__ == "__main__":
    status = main()
    # Every file is written and closed and every child process joined by now. A build holds
    # hundreds of MB of objects that the interpreter would free one by one before exiting
    # (a few tenths of a second at 10,000 projects): the process ends without that.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
