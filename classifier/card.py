"""The model card: a JSON record of data, metrics and speed, and its Markdown rendering."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CARD_JSON = "model-card.json"
CARD_MD = "model-card.md"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _report_table(report: Mapping[str, Any]) -> list[str]:
    lines = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label, row in report["per_class"].items():
        lines.append(
            f"| `{label}` | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} "
            f"| {row['support']} |"
        )
    lines.append(f"| **macro** | | | **{report['macro_f1']:.3f}** | |")
    lines.append("")
    lines.append(f"Accuracy {report['accuracy']:.3f}.")
    return lines


def _confusion(report: Mapping[str, Any]) -> list[str]:
    matrix = report["confusion_matrix"]
    labels = matrix["labels"]
    short = [label[:9] for label in labels]
    lines = [
        "| true \\ predicted | " + " | ".join(short) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for label, row in zip(labels, matrix["rows_true_cols_predicted"], strict=True):
        lines.append(f"| `{label}` | " + " | ".join(str(v) for v in row) + " |")
    return lines


def _pr_row(name: str, pr: Mapping[str, Any]) -> str:
    return (f"| {name} | {pr['recall']:.3f} | {pr['precision']:.3f} | "
            f"{pr['false_negatives']} | {pr['false_positives']} |")


def _check_soon_lines(cv: Mapping[str, Any]) -> list[str]:
    soon = cv.get("check_soon")
    if not soon:
        return []
    return [
        f"**Check soon**: P(urgent) ≥ {cv['check_soon_threshold']:.4f} on a comment that is not "
        f"urgent. Chosen by the same cross-validation as the highest threshold at which urgent "
        f"plus check-soon comments hold {_pct(cv['check_soon_recall_target'])} of the urgent "
        f"ones, raised if needed so that it marks at most "
        f"{_pct(cv.get('check_soon_max_share', 1.0))} of the comments not served as urgent "
        f"(urgent plus check soon here hold {_pct(soon['served_or_check_soon_recall'])}). "
        f"It marked "
        f"{soon['flagged']} comments ({_pct(soon['share_of_not_urgent'])} of those not served "
        f"as urgent), {soon['urgent_caught']} of them labelled urgent. Check-soon comments "
        "sort first within their urgency; they never take the urgent lane or an on-call alert.",
        "",
    ]


def _frozen_lines(frozen: Mapping[str, Any] | None) -> list[str]:
    if not frozen:
        return []
    return [
        f"### Frozen test file ({frozen['examples']} hard comments, never trained on)",
        "",
        "`classifier/data/frozen/frozen_test.jsonl`: texting style, misspellings, non-native "
        "English, long stories with the decisive sentence buried, people writing for a partner "
        "or friend, very short posts, look-alikes (idioms, negations, past events, reading "
        "about a symptom), administrative posts and spam. Training drops any comment that "
        "matches it, and no threshold is chosen on it.",
        "",
        "| urgent decision | recall | precision | missed urgent | false alarms |",
        "|---|---:|---:|---:|---:|",
        _pr_row("red-flag rules alone", frozen["urgent_rules_only"]),
        _pr_row("model alone at the threshold", frozen["urgent_model_only"]),
        _pr_row("**served: rules OR model**", frozen["urgent"]),
        "",
        f"Check soon marked {frozen['check_soon']} comments, {frozen['check_soon_urgent']} of "
        "them labelled urgent.",
        "",
        "Topic on the frozen file:",
        "",
        *_report_table(frozen["topic"]),
        "",
        "Served urgency on the frozen file:",
        "",
        *_confusion(frozen["urgency"]),
        "",
    ]


def render_markdown(card: Mapping[str, Any], bench: Mapping[str, Any] | None = None) -> str:
    """Render the card (and optional benchmark figures) as Markdown."""
    cv = card["cross_validation"]
    data = card["data"]
    timing = card["timing"]
    out = [
        "# Triage model card",
        "",
        f"Model version `{card['model_version']}`, trained {card['created_at']} with seed "
        f"{card['seed']}. Artifact `{card['artifact']['file']}` (skops, "
        f"{card['artifact']['size_bytes']:,} bytes, SHA-256 `{card['artifact']['sha256'][:16]}…`).",
        "",
        "## What it does",
        "",
        "Two linear heads on shared TF-IDF features (word 1-2-grams + char_wb 3-5-grams + the "
        "word 1-2-grams of the sentences that ask a question, at half weight) give "
        "every public comment an "
        "**urgency** (`urgent`, `priority`, `routine`) and a **topic** (the nine labels of "
        "`shared/labelling-guide.md`): the urgency head is a multinomial logistic regression, "
        "the topic head one-vs-rest logistic regressions on naive-Bayes-scaled features "
        "(NB-LR, `classifier/heads.py`) with a ridge classifier's scores blended in at half "
        "share and folded into the same weights, both heads with `class_weight=\"balanced\"`. "
        "Urgency is decided **as a system**: a comment is "
        "`urgent` when a red-flag rule (`classifier/safety/`: rate of bleeding, fainting, "
        "infection, severe or one-sided pain, self-harm, being hurt at home, ... happening now; "
        "negated, hypothetical and past-story mentions ignored) fires, **or** when the model's "
        "P(urgent) reaches the threshold below. The threshold is the highest at which this "
        "served decision keeps out-of-fold urgent recall of at least "
        f"{_pct(cv['urgent_recall_target'])}, so the model spends urgent badges only on what "
        "the rules miss. Otherwise a comment gets the likelier of `priority` and `routine`, and "
        "is marked **check soon** when P(urgent) reaches a second, lower threshold. Reasons "
        "name the rules that fired with the words they matched, say when a rule raised a "
        "comment the model scored lower, and quote the comment's own phrases that pushed the "
        "model towards its labels.",
        "",
        "It is a triage aid for the midwives' queue, not a diagnosis: every comment is still read "
        "by a midwife, and the safety rules favour recall over precision.",
        "",
        "## Using it",
        "",
        "- Train (corpus in `classifier/data/*.jsonl`, plus the midwives' corrections when run "
        "from the app): `make model`, `flask --app wsgi triage train` or "
        "`python -m classifier train [--data DIR] [--output DIR] [--seed N] [--extra FILE]`. "
        "It writes `triage-model.skops` (skops, not pickle), the sidecar `triage-model.json` "
        "(model version, SHA-256) and this card as `model-card.json` / `model-card.md`.",
        "- Score JSON lines `{\"id\", \"body\"}`: `python -m classifier predict FILE|- "
        "[--model PATH] [--skip-bad]` (exit 2 on bad input, naming the line, with nothing "
        "written; exit 1 when there is no usable model).",
        "- In code: `load_model(path).predict(body)` / `.predict_many(bodies)` give "
        "`Prediction(urgency, urgency_scores, topic, topic_scores, reasons, model_version, "
        "safety_raised)`; `prediction.to_json(id)` is the CLI's line. Loading refuses a file "
        "whose checksum, version or types do not match (`ModelLoadError`).",
        "",
        "## Data",
        "",
        f"{data['examples']} labelled comments after deduplication "
        f"({data['duplicates_dropped']} duplicates dropped, {data['conflicting_duplicates']} of "
        f"them with conflicting labels; {data['corrections_applied']} midwife corrections "
        f"applied, {data['extra_examples_added']} extra examples added; "
        f"{data.get('frozen_test_excluded', 0)} matching the frozen test file left out).",
        "",
        "| file | examples |",
        "|---|---:|",
        *(f"| `{name}` | {count} |" for name, count in data["files"].items()),
        "",
        "| urgency | count |   | topic | count |",
        "|---|---:|---|---|---:|",
    ]
    urg = list(data["urgency_counts"].items())
    top = list(data["topic_counts"].items())
    for i in range(max(len(urg), len(top))):
        u = f"`{urg[i][0]}` | {urg[i][1]}" if i < len(urg) else " | "
        t = f"`{top[i][0]}` | {top[i][1]}" if i < len(top) else " | "
        out.append(f"| {u} |   | {t} |")
    out += [
        "",
        f"## Cross-validated quality ({cv['folds']}-fold, stratified)",
        "",
        f"Urgent threshold: **P(urgent) ≥ {cv['urgent_threshold']:.4f}**, the highest at which "
        f"*rules OR model* keeps out-of-fold urgent recall ≥ {_pct(cv['urgent_recall_target'])}"
        " (rules simulated with `classifier.safety.check`).",
        "",
        "| urgent decision | recall | precision | missed urgent | false alarms |",
        "|---|---:|---:|---:|---:|",
        *(_pr_row(name, cv[key]) for name, key in (
            ("red-flag rules alone", "urgent_rules_only"),
            ("model alone at the threshold", "urgent_at_threshold"),
            ("**served: rules OR model**", "urgent_with_safety"),
        ) if key in cv),
        "",
        *_check_soon_lines(cv),
        "The rules were written with the labelling guide and checked against this corpus, so "
        "the rows that include them are optimistic for unseen comments; the frozen test file "
        "below is the fairer estimate.",
        "",
        *_frozen_lines(card.get("frozen_test")),
        "### Urgency (model + safety layer, as served)",
        "",
        *_report_table(cv["urgency_with_safety"]),
        "",
        *_confusion(cv["urgency_with_safety"]),
        "",
        "### Urgency (model alone, at the threshold)",
        "",
        *_report_table(cv["urgency_model"]),
        "",
        *_confusion(cv["urgency_model"]),
        "",
        "### Topic",
        "",
        *_report_table(cv["topic"]),
        "",
        *_confusion(cv["topic"]),
        "",
        "## Speed",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| training incl. {cv['folds']}-fold CV | {timing['training_seconds']:.1f} s |",
    ]
    if "load_seconds" in timing:
        out += [
            f"| loading the artifact | {timing['load_seconds'] * 1000:.0f} ms |",
            f"| batch scoring | {timing['batch_comments_per_second']:,} comments/s |",
            f"| single comment (median / p95) | {timing['single_comment_ms_median']:.2f} / "
            f"{timing['single_comment_ms_p95']:.2f} ms |",
            "",
            f"Measured: {timing['measured_on']}.",
        ]
    gate = card.get("quality_gate")
    if gate:
        out += [
            "",
            "## Held-out quality gate",
            "",
            f"Trained on a stratified {100 - gate['held_out_percent']}% of the corpus and judged "
            f"as served (threshold + safety layer) on the other {gate['held_out_percent']}% "
            f"({gate['examples']} comments); `tests/classifier/test_quality_gate.py` fails "
            f"below urgent recall {gate['urgent_recall_min']} or topic macro-F1 "
            f"{gate['topic_macro_f1_min']}"
            + (f", or when a topic's F1 is below {gate['topic_f1_min']}"
               if "topic_f1_min" in gate else "") + ".",
            "",
            "| figure | held-out | gate |",
            "|---|---:|---:|",
            f"| urgent recall | {gate['urgent']['recall']:.3f} | ≥ {gate['urgent_recall_min']} |",
            f"| urgent precision | {gate['urgent']['precision']:.3f} | |",
            f"| urgency macro-F1 | {gate['urgency']['macro_f1']:.3f} | |",
            f"| topic macro-F1 | {gate['topic']['macro_f1']:.3f} | "
            f"≥ {gate['topic_macro_f1_min']} |",
        ]
        if "topic_f1_min" in gate:
            weakest = min(gate["topic"]["per_class"].items(), key=lambda item: item[1]["f1"])
            out.append(f"| lowest topic F1 (`{weakest[0]}`) | {weakest[1]['f1']:.3f} | "
                       f"≥ {gate['topic_f1_min']} |")
    if bench:
        out += [
            "",
            "### Benchmark (`bench/bench_classifier.py`)",
            "",
            "| figure | value | target |",
            "|---|---:|---:|",
            *(f"| {row['figure']} | {row['value']} | {row['target']} |" for row in bench["rows"]),
            "",
            bench.get("note", ""),
        ]
    env = card["environment"]
    out += [
        "",
        "## Environment",
        "",
        ", ".join(f"{k} {v}" for k, v in env.items()) + ".",
        "",
        "## Limits",
        "",
        "- The corpus is written by the charity's staff to the labelling guide, not sampled "
        "from live traffic; expect lower figures on real comments until midwives' corrections "
        "are folded in (`flask --app wsgi triage train` retrains with them).",
        "- English only; very long comments that tell several stories may mix topics.",
        "- The safety rules are patterns: unusual phrasing of a red flag can be missed and a "
        "story can be mistaken for the present. They add to, never replace, reading the comment.",
        "",
    ]
    return "\n".join(out)


def write_card(card: Mapping[str, Any], output_dir: Path) -> None:
    """Write model-card.json and model-card.md into output_dir."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / CARD_JSON).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (output_dir / CARD_MD).write_text(render_markdown(card), encoding="utf-8")
