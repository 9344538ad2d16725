"""Run a Python module or script and, as it exits, write its own peak RSS (VmHWM, MB) to $BENCH_PEAK_FILE.

    python bench/peak_launcher.py -m bot chat ...     # like python -m bot chat ...
    python bench/peak_launcher.py script.py args...   # like python script.py args...

The figure is read from /proc/self/status in the measured process itself at
exit (atexit), so it is that process's peak and nothing else's. Imports
nothing beyond the standard library's runpy/atexit, so it adds nothing
measurable to either side of a comparison.
"""

from __future__ import annotations

import atexit
import os
import runpy
import sys


def _write_peak() -> None:
    target = os.environ.get("BENCH_PEAK_FILE")
    if not target:
        return
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(target, "w") as out:
                    out.write(str(int(line.split()[1]) / 1024))
                return


def main() -> None:
    atexit.register(_write_peak)
    args = sys.argv[1:]
    if args[:1] == ["-m"]:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
