"""Fail when a module is too big or a function too complex to hold in one's head.

Limits (DEVELOPERS.md): no Python module over 400 lines and no function above radon's
cyclomatic-complexity rank C (21 or more is D) in the app's own packages. Run by `make lint`
and `make test`; prints one line per break, with what to do about it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("moderation", "models", "classifier", "bench")
MAX_LINES = 400
WORST_RANK = "C"


def python_files(root: Path = ROOT) -> Iterator[Path]:
    """Every Python module of the checked packages, in a stable order."""
    for package in CHECKED:
        yield from sorted((root / package).rglob("*.py"))


def module_breaks(path: Path, text: str) -> list[str]:
    """Why this module is too big or too complex (empty when it is fine)."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    breaks = []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_LINES:
        breaks.append(f"{where}: {lines} lines (at most {MAX_LINES}): split it on a natural "
                      "seam into modules of the same feature")
    for block in cc_visit(text):
        rank = cc_rank(block.complexity)
        if rank > WORST_RANK:
            name = getattr(block, "fullname", block.name)
            breaks.append(f"{where}:{block.lineno} {name} has complexity {block.complexity} "
                          f"(rank {rank}, at most {WORST_RANK}): extract helpers or a table")
    return breaks


def main(paths: list[str] | None = None) -> int:
    """Check the given files, or every checked package; return the exit status."""
    files = [Path(p).resolve() for p in paths] if paths else list(python_files())
    breaks = [line for path in files
              for line in module_breaks(path, path.read_text(encoding="utf-8"))]
    for line in breaks:
        print(line)
    if breaks:
        print(f"\n{len(breaks)} over the limits: see scripts/check_complexity.py")
        return 1
    print(f"check_complexity: {len(files)} modules, none over {MAX_LINES} lines or above "
          f"complexity {WORST_RANK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
