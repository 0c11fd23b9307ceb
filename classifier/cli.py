"""Command line: `python -m classifier train|predict`; the cores take streams for the app."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .errors import ClassifierError, CorpusError, ModelLoadError, ModelNotFoundError
from .model import DEFAULT_MODEL_DIR, DEFAULT_MODEL_PATH

EXIT_OK = 0
EXIT_MODEL = 1  # missing or unloadable model
EXIT_INPUT = 2  # malformed input (or corpus)


def _parse_line(line: str, lineno: int) -> tuple[dict[str, Any] | None, str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return None, f"line {lineno}: expected a JSON object, got {type(record).__name__}"
    if "id" not in record or record["id"] is None:
        return None, f"line {lineno}: missing 'id'"
    if isinstance(record["id"], bool) or not isinstance(record["id"], str | int):
        return None, f"line {lineno}: 'id' must be a string or an integer"
    if "body" not in record:
        return None, f"line {lineno}: missing 'body'"
    if not isinstance(record["body"], str):
        return None, f"line {lineno}: 'body' must be a string, got {type(record['body']).__name__}"
    return record, None


def read_records(input_stream: IO[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Validate every input line first; return (good records, error messages)."""
    records: list[dict[str, Any]] = []
    errors: list[str] = []
    lineno = 0
    try:
        for lineno, line in enumerate(input_stream, start=1):  # noqa: B007 - used after loop
            if not line.strip():
                continue
            record, error = _parse_line(line, lineno)
            if error:
                errors.append(error)
            elif record is not None:
                records.append(record)
    except UnicodeDecodeError as exc:
        errors.append(f"line {lineno + 1}: input is not valid UTF-8 ({exc.reason})")
    return records, errors


def run_predict(
    input_stream: IO[str],
    output_stream: IO[str],
    error_stream: IO[str],
    model_path: Path | str | None = None,
    skip_bad: bool = False,
) -> int:
    """Score JSON lines {id, body} into JSON lines; nothing is written when input is bad.

    The red-flag rules decide on their own when the model is missing or broken: the lines
    are still written (with "model_failed": true), and the exit code says the model failed.
    """
    from .decision import decide_many
    from .model import load_model

    model = None
    exit_code = EXIT_OK
    try:
        model = load_model(model_path if model_path is not None else DEFAULT_MODEL_PATH)
    except (ModelNotFoundError, ModelLoadError) as exc:
        print(f"error: {exc}; the red-flag rules alone decide urgency", file=error_stream)
        exit_code = EXIT_MODEL
    records, errors = read_records(input_stream)
    if errors and not skip_bad:
        for error in errors:
            print(f"error: {error}", file=error_stream)
        print(f"error: {len(errors)} bad input line(s); nothing was scored "
              f"(use --skip-bad to score the rest)", file=error_stream)
        return EXIT_INPUT
    for error in errors:
        print(f"skipped {error}", file=error_stream)
    if errors:
        print(f"skipped {len(errors)} bad line(s), scored {len(records)}", file=error_stream)
    decisions = decide_many([record["body"] for record in records], model)
    buffer = io.StringIO()
    for record, decision in zip(records, decisions, strict=True):
        buffer.write(json.dumps(decision.to_json(record["id"]), ensure_ascii=False) + "\n")
    output_stream.write(buffer.getvalue())
    output_stream.flush()
    if model is not None and any(d.model_failed for d in decisions):
        print("error: the model failed while scoring; the red-flag rules alone decided",
              file=error_stream)
        exit_code = EXIT_MODEL
    return exit_code


def read_extra(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file of corrections {body, urgency, topic} (validated by training)."""
    from .corpus import load_jsonl

    return [
        {"body": e.body, "urgency": e.urgency, "topic": e.topic} for e in load_jsonl(Path(path))
    ]


def run_train(
    output_stream: IO[str],
    error_stream: IO[str],
    *,
    output_dir: Path | str | None = None,
    data_dir: Path | str | None = None,
    seed: int | None = None,
    extra_path: Path | str | None = None,
) -> int:
    """Train and write the artifact and card; print a short summary."""
    from .train import DEFAULT_SEED, train_and_save

    output_dir = Path(output_dir) if output_dir is not None else DEFAULT_MODEL_DIR
    try:
        extra = read_extra(Path(extra_path)) if extra_path else None
        card = train_and_save(
            output_dir,
            data_dir=Path(data_dir) if data_dir is not None else None,
            extra_examples=extra,
            seed=DEFAULT_SEED if seed is None else seed,
        )
    except CorpusError as exc:
        print(f"error: {exc}", file=error_stream)
        return EXIT_INPUT
    except (OSError, ClassifierError) as exc:
        print(f"error: {exc}", file=error_stream)
        return EXIT_MODEL
    cv = card["cross_validation"]
    timing = card["timing"]
    lines = [
        f"model {card['model_version']} written to {output_dir}",
        f"  examples: {card['data']['examples']} "
        f"(corrections applied: {card['data']['corrections_applied']})",
        f"  urgent threshold: {cv['urgent_threshold']:.4f}; CV urgent recall "
        f"{cv['urgent_at_threshold']['recall']:.3f} (model), "
        f"{cv['urgent_with_safety']['recall']:.3f} (with safety rules), precision "
        f"{cv['urgent_with_safety']['precision']:.3f}",
        f"  CV topic macro-F1: {cv['topic']['macro_f1']:.3f}",
        f"  training: {timing['training_seconds']:.1f} s",
    ]
    if "batch_comments_per_second" in timing:
        lines.append(
            f"  scoring: {timing['batch_comments_per_second']:,} comments/s batch, "
            f"{timing['single_comment_ms_median']:.2f} ms single; "
            f"load {timing['load_seconds']:.2f} s"
        )
    print("\n".join(lines), file=output_stream)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the model and write the model card")
    train.add_argument("--data", type=Path, help="corpus directory (default classifier/data)")
    train.add_argument("--output", type=Path,
                       help="output directory (default classifier/artifacts)")
    train.add_argument("--seed", type=int,
                       help="random seed (default: classifier.train.DEFAULT_SEED)")
    train.add_argument("--extra", type=Path,
                       help="JSONL of label corrections that win over the corpus")
    predict = sub.add_parser("predict", help="score JSON lines {id, body} from FILE or -")
    predict.add_argument("file", help="input JSONL file, or - for standard input")
    predict.add_argument("--model", type=Path, help="model artifact (default classifier/artifacts)")
    predict.add_argument("--skip-bad", action="store_true", help="skip malformed lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for `python -m classifier`."""
    args = _parser().parse_args(argv)
    if args.command == "train":
        return run_train(sys.stdout, sys.stderr, output_dir=args.output, data_dir=args.data,
                         seed=args.seed, extra_path=args.extra)
    if args.file == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict")
        return run_predict(stream, sys.stdout, sys.stderr, args.model, args.skip_bad)
    try:
        handle = open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_INPUT
    with handle:
        return run_predict(handle, sys.stdout, sys.stderr, args.model, args.skip_bad)
