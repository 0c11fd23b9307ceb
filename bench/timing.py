"""Shared timing and command-line scaffolding of the request benchmarks (queue, replies)."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PASSWORD = "bench-password-1234"

Figures = list[tuple[str, float, float]]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a list of samples."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(label: str, repeat: int, call: Callable[[int], object], results: list) -> None:
    """Time `repeat` calls (after 3 warm-ups) and print median and p95 in ms."""
    for i in range(3):
        call(-1 - i)
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    median, p95 = statistics.median(samples), percentile(samples, 0.95)
    results.append((label, median, p95))
    print(f"  {label:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms", flush=True)


def run_on_both_databases(
    description: str,
    run: Callable[[str, int, int], Figures],
    name: str,
    argv: list[str] | None = None,
) -> int:
    """Parse the common options, run on a SQLite file and on PostgreSQL, print a summary."""
    default_pg = os.environ.get(
        "BENCH_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:5432/test_{name}")
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=100_000, help="pending comments")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-url", default=default_pg)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / f'bench_{name}.db'}"
        figures = {"sqlite": run(sqlite_url, args.n, args.repeat)}
    if not args.sqlite_only:
        try:
            figures["postgresql"] = run(args.postgres_url, args.n, args.repeat)
        except Exception as exc:  # noqa: BLE001 - an unreachable server is reported, not fatal
            print(f"\npostgresql skipped: {exc.__class__.__name__}: {exc}")
    print("\nsummary (ms, median / p95):")
    for backend, rows in figures.items():
        for label, median, p95 in rows:
            print(f"  {backend:<10} {label:<48} {median:7.1f} / {p95:7.1f}")
    return 0
