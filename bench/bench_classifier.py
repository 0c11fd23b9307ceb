"""Triage model speed: training, loading, batch and single-comment scoring on one core.

Run: .venv/bin/python -m bench.bench_classifier [--model PATH] [--n 10000] [--single 1000]
     [--baseline OLD.skops] [--write-docs docs/model-card.md]

Without --model it trains a fresh model on the full corpus (default seed) into a temporary
directory, timing it. Scoring uses `bench.datagen.comment_bodies`, so it measures comments the
model has never seen. The process is pinned to one CPU and BLAS to one thread. Figures are the
median of --repeat runs. --write-docs renders the model card with these figures as Markdown.
--baseline scores the same comments with another artifact (say, the model before a change)
in the same process, runs interleaved, and reports the new/old speed ratios: on a noisy
shared machine a ratio is steadier than either figure.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.datagen import comment_bodies  # noqa: E402

TARGETS = {
    "batch": 5000.0,  # comments per second
    "single": 2.0,  # ms per comment
    "load": 1.0,  # seconds
    "train": 120.0,  # seconds (issue 11: training under two minutes)
}


def _pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def _load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _cold_load(model: Path) -> float:
    """Seconds for a fresh interpreter to import the package and load the model."""
    code = (
        "import time; t = time.perf_counter(); from classifier import load_model; "
        f"load_model({str(model)!r}); print(time.perf_counter() - t)"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=True)
    return float(done.stdout.strip())


def _speed(triage, bodies: list[str], one: list[str]) -> tuple[float, float]:
    """(batch comments per CPU second, median CPU ms for one comment)."""
    cpu = time.process_time()
    triage.predict_many(bodies)
    rate = len(bodies) / (time.process_time() - cpu)
    times = []
    for body in one:
        cpu = time.process_time()
        triage.predict(body)
        times.append((time.process_time() - cpu) * 1000)
    return rate, statistics.median(times)


def compare(new, old, bodies: list[str], one: list[str], repeat: int) -> dict:
    """New vs old model on the same comments, interleaved runs, medians and their ratio."""
    old.predict_many(bodies[:500])
    runs = {"new": [], "old": []}
    for _ in range(repeat):
        for name, triage in (("new", new), ("old", old)):
            runs[name].append(_speed(triage, bodies, one))
    rate = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    single = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    return {
        "baseline_version": old.model_version,
        "baseline_batch_comments_per_second": round(rate["old"]),
        "baseline_single_ms_median": round(single["old"], 3),
        "batch_rate_ratio_new_over_old": round(rate["new"] / rate["old"], 3),
        "single_ms_ratio_new_over_old": round(single["new"] / single["old"], 3),
    }


def run(model: Path | None, n: int, single: int, repeat: int,
        baseline: Path | None = None) -> tuple[dict, dict]:
    """Measure everything; return (model card, bench figures)."""
    pinned = _pin_one_core()
    from classifier import load_model
    from classifier.train import train_and_save

    tmp = None
    if model is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-classifier-")
        started = time.perf_counter()
        card = train_and_save(Path(tmp.name), measure_speed=False)
        train_seconds = time.perf_counter() - started
        model = Path(tmp.name) / "triage-model.skops"
    else:
        card = json.loads((model.parent / "model-card.json").read_text(encoding="utf-8"))
        train_seconds = float(card["timing"]["training_seconds"])

    loads = []
    for _ in range(max(repeat, 3)):
        started = time.perf_counter()
        triage = load_model(model)
        loads.append(time.perf_counter() - started)
    cold = _cold_load(model)

    # CPU time of this process is what one core spends; wall time also counts waiting for a
    # core on a busy machine, so both are reported and the targets are judged on CPU time.
    triage.predict_many(comment_bodies(500, seed=99))  # warm-up, as a running app would be
    bodies = comment_bodies(n, seed=1)
    rates, wall_rates = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        triage.predict_many(bodies)
        rates.append(n / (time.process_time() - cpu))
        wall_rates.append(n / (time.perf_counter() - wall))
    one = comment_bodies(single, seed=2)
    times, wall_times = [], []
    for body in one:
        wall, cpu = time.perf_counter(), time.process_time()
        triage.predict(body)
        times.append((time.process_time() - cpu) * 1000)
        wall_times.append((time.perf_counter() - wall) * 1000)
    times.sort()
    urgent = sum(p.urgency == "urgent" for p in triage.predict_many(bodies[:2000])) / 20

    figures = {
        "train_seconds": round(train_seconds, 2),
        "load_seconds_first": round(loads[0], 3),
        "load_seconds_median": round(statistics.median(loads), 3),
        "cold_start_seconds": round(cold, 3),
        "batch_comments_per_second": round(statistics.median(rates)),
        "batch_comments_per_second_wall": round(statistics.median(wall_rates)),
        "single_ms_median": round(statistics.median(times), 3),
        "single_ms_p95": round(times[int(0.95 * (len(times) - 1))], 3),
        "single_ms_median_wall": round(statistics.median(wall_times), 3),
        "n_batch": n,
        "n_single": single,
        "mean_body_chars": round(statistics.mean(len(b) for b in bodies)),
        "urgent_share_percent": round(urgent, 1),
        "cpu": pinned,
        "model_version": triage.model_version,
    }
    rows = [
        {"figure": "training incl. 5-fold CV (wall)", "value": f"{train_seconds:.1f} s",
         "target": "< 120 s", "ok": train_seconds < TARGETS["train"]},
        {"figure": "loading the artifact, warm (first / median)",
         "value": f"{loads[0] * 1000:.0f} / {statistics.median(loads) * 1000:.0f} ms",
         "target": "< 1 s", "ok": loads[0] < TARGETS["load"]},
        {"figure": "cold start: import + load in a new process", "value": f"{cold:.2f} s",
         "target": "", "ok": True},
        {"figure": "batch scoring, CPU time of one core",
         "value": f"{figures['batch_comments_per_second']:,} comments/s",
         "target": "≥ 5,000/s", "ok": figures["batch_comments_per_second"] >= TARGETS["batch"]},
        {"figure": "batch scoring, wall clock",
         "value": f"{figures['batch_comments_per_second_wall']:,} comments/s",
         "target": "", "ok": True},
        {"figure": "single comment, CPU (median / p95)",
         "value": f"{figures['single_ms_median']:.2f} / {figures['single_ms_p95']:.2f} ms",
         "target": "< 2 ms", "ok": figures["single_ms_median"] < TARGETS["single"]},
        {"figure": "single comment, wall clock (median)",
         "value": f"{figures['single_ms_median_wall']:.2f} ms", "target": "", "ok": True},
    ]
    note = (
        f"One core ({pinned}), BLAS single-threaded; {n:,} generated comments "
        f"(bench/datagen.py) of {figures['mean_body_chars']} characters on average "
        f"({figures['urgent_share_percent']}% scored urgent), median of {repeat} runs, safety "
        f"rules and explanations included. Load average at the start: {_load_average()}; "
        f"on a shared machine wall-clock figures include waiting for the CPU."
    )
    if baseline is not None:
        ratios = compare(triage, load_model(baseline), bodies, one[:300], repeat)
        figures.update(ratios)
        rows.append({"figure": f"vs {ratios['baseline_version']}: batch rate new/old",
                     "value": f"{ratios['batch_rate_ratio_new_over_old']:.2f}x", "target": "",
                     "ok": True})
        rows.append({"figure": f"vs {ratios['baseline_version']}: single ms new/old",
                     "value": f"{ratios['single_ms_ratio_new_over_old']:.2f}x", "target": "",
                     "ok": True})
    if tmp is not None:
        tmp.cleanup()
    return card, {"figures": figures, "rows": rows, "note": note}


def quality_gate() -> dict:
    """The held-out figures of tests/classifier/test_quality_gate.py, for the model card."""
    from classifier.corpus import build_training_set, load_corpus
    from classifier.train import evaluate, holdout_split, train_model
    from tests.classifier.test_quality_gate import (
        TOPIC_F1_MIN,
        TOPIC_MACRO_F1_MIN,
        URGENT_RECALL_MIN,
    )

    examples = list(build_training_set(load_corpus()).examples)
    train, held_out = holdout_split(examples, fraction=0.2)
    model, _ = train_model(train)
    report = evaluate(model, held_out)
    return {**report, "held_out_percent": 20, "urgent_recall_min": URGENT_RECALL_MIN,
            "topic_macro_f1_min": TOPIC_MACRO_F1_MIN, "topic_f1_min": TOPIC_F1_MIN}


def main() -> int:
    """Run the benchmark, print a table, optionally write the Markdown model card."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="existing triage-model.skops (else train)")
    parser.add_argument("--n", type=int, default=10_000, help="comments in the batch")
    parser.add_argument("--single", type=int, default=1000, help="comments scored one by one")
    parser.add_argument("--repeat", type=int, default=3, help="batch runs (median reported)")
    parser.add_argument("--baseline", type=Path, help="another artifact to compare speed with")
    parser.add_argument("--write-docs", type=Path, help="write the Markdown model card here")
    args = parser.parse_args()
    card, bench = run(args.model, args.n, args.single, args.repeat, args.baseline)
    width = max(len(row["figure"]) for row in bench["rows"])
    print(f"{'figure':<{width}}  {'value':>24}  {'target':>10}  ok")
    for row in bench["rows"]:
        mark = "yes" if row["ok"] else "NO"
        print(f"{row['figure']:<{width}}  {row['value']:>24}  {row['target']:>10}  {mark}")
    print(bench["note"])
    if args.write_docs:
        from classifier.card import render_markdown

        card = dict(card)
        card["timing"] = dict(card["timing"])
        card["timing"].update({
            "load_seconds": bench["figures"]["load_seconds_first"],
            "batch_comments_per_second": bench["figures"]["batch_comments_per_second"],
            "single_comment_ms_median": bench["figures"]["single_ms_median"],
            "single_comment_ms_p95": bench["figures"]["single_ms_p95"],
            "measured_on": "bench/bench_classifier.py, see below",
        })
        card["benchmark"] = bench["figures"]
        card["quality_gate"] = quality_gate()
        args.write_docs.parent.mkdir(parents=True, exist_ok=True)
        args.write_docs.write_text(render_markdown(card, bench), encoding="utf-8")
        print(f"wrote {args.write_docs}")
    return 0 if all(row["ok"] for row in bench["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
