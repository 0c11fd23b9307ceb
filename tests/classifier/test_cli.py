"""The command line contract: JSON lines in, JSON lines out, clear errors, no partial output."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from classifier.cli import EXIT_INPUT, EXIT_MODEL, EXIT_OK, run_predict, run_train
from classifier.model import ARTIFACT_NAME

ROOT = Path(__file__).resolve().parents[2]
GOOD = [
    {"id": 1, "body": "When can we try again?"},
    {"id": "c-2", "body": "Soaking a pad every hour and feel faint"},
]


def _run(lines: list[str], model_path: Path, skip_bad: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_predict(io.StringIO("".join(lines)), out, err, model_path, skip_bad)
    return code, out.getvalue(), err.getvalue()


def _lines(records: list[object]) -> list[str]:
    return [json.dumps(r) + "\n" for r in records]


def test_valid_lines_give_one_json_line_each(model_path: Path) -> None:
    """Each input line yields one output line with the documented fields, in order."""
    code, out, err = _run(_lines(GOOD), model_path)
    assert code == EXIT_OK and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [1, "c-2"]
    for row in rows:
        assert {"id", "urgency", "urgency_scores", "topic", "topic_scores", "reasons",
                "model_version"} <= set(row)
    assert rows[1]["urgency"] == "urgent"


def test_blank_lines_are_skipped_silently(model_path: Path) -> None:
    """Empty lines are not records and not errors."""
    code, out, _ = _run(["\n"] + _lines(GOOD[:1]) + ["   \n"], model_path)
    assert code == EXIT_OK and len(out.splitlines()) == 1


def test_bad_line_reports_its_number_and_writes_nothing(model_path: Path) -> None:
    """One malformed line: its number on stderr, exit 2, and an empty stdout."""
    lines = _lines(GOOD[:1]) + ["{oops\n"] + _lines(GOOD[1:])
    code, out, err = _run(lines, model_path)
    assert code == EXIT_INPUT
    assert out == ""
    assert "line 2" in err and "invalid JSON" in err


def test_missing_id_missing_body_and_non_string_body_are_bad(model_path: Path) -> None:
    """Each kind of malformed record is reported with its own line number."""
    lines = _lines([{"body": "no id"}, {"id": 2}, {"id": 3, "body": 42}, ["not", "an object"]])
    code, out, err = _run(lines, model_path)
    assert code == EXIT_INPUT and out == ""
    assert "line 1: missing 'id'" in err
    assert "line 2: missing 'body'" in err
    assert "line 3: 'body' must be a string" in err
    assert "line 4: expected a JSON object" in err


def test_skip_bad_scores_the_rest_and_reports_skips(model_path: Path) -> None:
    """With skip_bad, good lines are scored and skipped lines are named on stderr."""
    lines = _lines(GOOD[:1]) + ["{oops\n"] + _lines(GOOD[1:])
    code, out, err = _run(lines, model_path, skip_bad=True)
    assert code == EXIT_OK
    assert [json.loads(line)["id"] for line in out.splitlines()] == [1, "c-2"]
    assert "skipped line 2" in err


def test_missing_model_exits_1_with_training_hint_and_the_rules_still_decide(
    tmp_path: Path,
) -> None:
    """No model: exit 1 with how to train, but every line is still written, decided by rules."""
    code, out, err = _run(_lines(GOOD), tmp_path / ARTIFACT_NAME)
    assert code == EXIT_MODEL
    assert "python -m classifier train" in err and "make model" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(GOOD) and all(row["model_failed"] for row in rows)


def test_stdin_dash_through_python_m(model_path: Path) -> None:
    """`python -m classifier predict - --model M` reads standard input."""
    done = subprocess.run(
        [sys.executable, "-m", "classifier", "predict", "-", "--model", str(model_path)],
        input="".join(_lines(GOOD)), capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [1, "c-2"]


def test_file_argument_and_bad_input_exit_code(model_path: Path, tmp_path: Path) -> None:
    """A file with a bad line exits 2 with the line number and prints nothing."""
    path = tmp_path / "in.jsonl"
    path.write_text("".join(_lines(GOOD)) + '{"id": 3}\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "classifier", "predict", str(path), "--model", str(model_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "line 3" in done.stderr


def test_train_cli_with_corrections_file(small_data_dir: Path, tmp_path: Path) -> None:
    """run_train writes artifact, sidecar and card, applying a corrections file."""
    first = json.loads((small_data_dir / "small.jsonl").read_text().splitlines()[0])
    extra = tmp_path / "corrections.jsonl"
    extra.write_text(json.dumps({"body": first["body"].upper(), "urgency": "priority",
                                 "topic": "other"}) + "\n")
    out, err = io.StringIO(), io.StringIO()
    code = run_train(out, err, output_dir=tmp_path / "m", data_dir=small_data_dir, seed=3,
                     extra_path=extra)
    assert code == EXIT_OK, err.getvalue()
    card = json.loads((tmp_path / "m" / "model-card.json").read_text())
    assert card["data"]["corrections_applied"] == 1
    for name in (ARTIFACT_NAME, "triage-model.json", "model-card.md"):
        assert (tmp_path / "m" / name).is_file()
    assert "model triage-2026.11-" in out.getvalue()


def test_train_cli_bad_corpus_exits_2(tmp_path: Path) -> None:
    """A corpus with a bad label stops training with exit 2 and the file:line."""
    (tmp_path / "bad.jsonl").write_text('{"body": "x", "urgency": "soon", "topic": "other"}\n')
    err = io.StringIO()
    assert run_train(io.StringIO(), err, output_dir=tmp_path / "m", data_dir=tmp_path) == 2
    assert "bad.jsonl:1" in err.getvalue()
