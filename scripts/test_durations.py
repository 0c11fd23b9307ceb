"""Sum pytest's `--durations=0` report per test module and per phase (setup, call, teardown).

Usage: `pytest -n 2 --durations=0 -q > run.txt; python scripts/test_durations.py run.txt
[baseline.txt]`. With two reports it prints them side by side with the ratio per module, so a
before/after comparison made on a busy machine is read as ratios rather than absolute seconds.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^\s*(?P<seconds>\d+\.\d+)s (?P<phase>setup|call|teardown)\s+(?P<node>\S+)")
PHASES = ("setup", "call", "teardown")


def parse(path: Path) -> dict[str, dict[str, float]]:
    """Seconds per module and phase, from one `--durations=0` report."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(PHASES, 0.0))
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            module = match["node"].split("::", 1)[0]
            totals[module][match["phase"]] += float(match["seconds"])
    return totals


def _total(phases: dict[str, float]) -> float:
    return sum(phases.values())


def report(run: dict[str, dict[str, float]]) -> None:
    """One report: modules by total time, with each phase's share."""
    grand = sum(_total(p) for p in run.values()) or 1.0
    print(f"{'module':<52} {'total s':>8} {'share':>6} {'setup':>7} {'call':>7} {'teardown':>8}")
    for module, phases in sorted(run.items(), key=lambda item: -_total(item[1])):
        print(f"{module:<52} {_total(phases):8.1f} {_total(phases) / grand:6.1%} "
              f"{phases['setup']:7.1f} {phases['call']:7.1f} {phases['teardown']:8.1f}")
    sums = {phase: sum(p[phase] for p in run.values()) for phase in PHASES}
    print(f"{'ALL (worker-seconds)':<52} {grand:8.1f} {'':>6} {sums['setup']:7.1f} "
          f"{sums['call']:7.1f} {sums['teardown']:8.1f}")


def compare(after: dict[str, dict[str, float]], before: dict[str, dict[str, float]]) -> None:
    """Two reports side by side: seconds per module before and after, and their ratio."""
    print(f"{'module':<52} {'before s':>8} {'after s':>8} {'after/before':>12}")
    modules = sorted(set(after) | set(before), key=lambda m: -_total(before.get(m, {"": 0})))
    for module in modules:
        b = _total(before.get(module, {"": 0.0}))
        a = _total(after.get(module, {"": 0.0}))
        ratio = f"{a / b:12.2f}" if b else f"{'new':>12}"
        print(f"{module:<52} {b:8.1f} {a:8.1f} {ratio}")
    b = sum(_total(p) for p in before.values())
    a = sum(_total(p) for p in after.values())
    print(f"{'ALL (worker-seconds)':<52} {b:8.1f} {a:8.1f} {a / b if b else 0:12.2f}")


def main(argv: list[str]) -> int:
    """Print one report, or two side by side."""
    if len(argv) not in (1, 2):
        print(__doc__)
        return 2
    runs = [parse(Path(name)) for name in argv]
    if len(runs) == 1:
        report(runs[0])
    else:
        compare(runs[0], runs[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
