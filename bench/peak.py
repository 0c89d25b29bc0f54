"""Run a Python script and report its peak memory: python bench/peak.py SCRIPT [ARGS...]

Prints `peak: N MB` to stderr at the end: the larger of the script's own maximum resident set
and that of its largest child (the page-rendering and data workers).
"""

from __future__ import annotations

import resource
import runpy
import sys


def main() -> None:
    script, *args = sys.argv[1:]
    sys.argv = [script, *args]
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    peak_kb = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    print(f"peak: {peak_kb / 1024:.0f} MB", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
