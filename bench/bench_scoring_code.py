"""Batch and single-comment scoring, old code and model against new, side by side in one run.

Run: .venv/bin/python -m bench.bench_scoring_code --old-rev REV --old-model OLD.skops
     [--new-model NEW.skops] [--n 5000] [--single 300] [--repeat 5]

`bench_classifier --baseline` compares two artifacts under the same code; this compares the
whole scoring path before and after a change: `classifier/` as it was at --old-rev (taken with
`git archive` into a temporary directory) with its model, against the working tree with the new
model. Each measurement runs in a fresh interpreter pinned to one CPU with one BLAS thread,
old and new interleaved; figures are CPU time (what one core spends), medians of --repeat runs,
on `bench.datagen.comment_bodies` (comments no model has seen). On a shared machine the ratio
is steadier than either figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_BATCH = 5000.0  # comments per second on one core (issue 11)

# One measurement: import `classifier` from argv[1], score argv[2]'s model, print JSON.
_MEASURE = r"""
import json, os, statistics, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[5])
from classifier import load_model
from bench.datagen import comment_bodies
model = load_model(sys.argv[2])
model.predict_many(comment_bodies(500, seed=99))
bodies = comment_bodies(int(sys.argv[3]), seed=1)
cpu = time.process_time(); model.predict_many(bodies); cpu = time.process_time() - cpu
single = []
for body in comment_bodies(int(sys.argv[4]), seed=2):
    t = time.process_time(); model.predict(body); single.append(time.process_time() - t)
print(json.dumps({"batch": len(bodies) / cpu, "single_ms": statistics.median(single) * 1000}))
"""


def export_classifier(rev: str, into: Path) -> Path:
    """`classifier/` as it was at `rev`, written under `into`; return the import root."""
    archive = subprocess.run(["git", "archive", rev, "classifier"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(code_root: Path, model: Path, n: int, single: int) -> dict[str, float]:
    """One fresh-interpreter measurement of `code_root`'s classifier scoring `model`."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(code_root), str(model), str(n), str(single),
         str(ROOT)],
        cwd=code_root, env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(old_root: Path, old_model: Path, new_model: Path, n: int, single: int,
            repeat: int) -> dict[str, float]:
    """Interleaved old/new runs; medians and new/old ratios."""
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for _ in range(repeat):
        runs["old"].append(measure(old_root, old_model, n, single))
        runs["new"].append(measure(ROOT, new_model, n, single))
    med = {name: {key: statistics.median(r[key] for r in rs) for key in ("batch", "single_ms")}
           for name, rs in runs.items()}
    return {
        "old_batch_per_second": round(med["old"]["batch"]),
        "new_batch_per_second": round(med["new"]["batch"]),
        "batch_ratio_new_over_old": round(med["new"]["batch"] / med["old"]["batch"], 3),
        "old_single_ms": round(med["old"]["single_ms"], 3),
        "new_single_ms": round(med["new"]["single_ms"], 3),
        "single_ratio_new_over_old": round(med["new"]["single_ms"] / med["old"]["single_ms"], 3),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    """Parse arguments, measure, print the figures; exit 1 when bad input is given."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-rev", required=True, help="git revision of the old code")
    parser.add_argument("--old-model", type=Path, required=True, help="the old artifact")
    parser.add_argument("--new-model", type=Path,
                        default=ROOT / "classifier" / "artifacts" / "triage-model.skops")
    parser.add_argument("--n", type=int, default=5000, help="comments in the batch")
    parser.add_argument("--single", type=int, default=300, help="comments scored one by one")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (median reported)")
    args = parser.parse_args()
    for model in (args.old_model, args.new_model):
        if not model.is_file():
            print(f"No model artifact at {model}.", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="bench-old-code-") as tmp:
        old_root = export_classifier(args.old_rev, Path(tmp))
        figures = compare(old_root, args.old_model, args.new_model, args.n, args.single,
                          args.repeat)
    figures["target_batch_per_second"] = TARGET_BATCH
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
