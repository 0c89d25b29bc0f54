"""Run a Python script and report its peak memory: python bench/peak.py SCRIPT [ARGS...]

Prints `peak: N MB` to stderr at the end: the largest maximum resident set of the script's
process and of every process it waited for (the page-rendering and data workers). The script
runs in a child process, as `python SCRIPT` would run it: Linux carries each reaped process's
peak up to the process that reaps it.
"""

from __future__ import annotations

import resource
import subprocess
import sys


def main() -> None:
    script, *args = sys.argv[1:]
    code = subprocess.run([sys.executable, script, *args], check=False).returncode
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak: {peak_kb / 1024:.0f} MB", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
