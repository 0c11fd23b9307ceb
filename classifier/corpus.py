"""Loading and validating labelled examples: the JSONL corpus and midwives' corrections."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError
from .labels import TOPICS, URGENCIES

DATA_DIR = Path(__file__).resolve().parent / "data"
# Hard comments kept apart for judging models: never trained on, never used to pick a
# threshold. It lives in a subdirectory so `load_corpus` (which reads only DATA_DIR/*.jsonl)
# cannot pick it up, and `build_training_set` drops any example whose body matches it.
FROZEN_TEST_PATH = DATA_DIR / "frozen" / "frozen_test.jsonl"
MAX_ERRORS_SHOWN = 20
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Example:
    """One labelled comment and where it came from."""

    body: str
    urgency: str
    topic: str
    source: str = ""


@dataclass(frozen=True)
class TrainingSet:
    """The deduplicated examples used for training, with bookkeeping for the model card."""

    examples: tuple[Example, ...]
    files: dict[str, int]
    duplicates_dropped: int
    conflicting_duplicates: int
    corrections_applied: int
    extra_added: int
    frozen_excluded: int = 0


def normalise_body(body: str) -> str:
    """Return the key used to deduplicate comments (case, quotes and spacing ignored)."""
    text = unicodedata.normalize("NFKC", body).translate(_QUOTES).casefold()
    return _SPACES.sub(" ", text).strip()


def _check_record(record: object, where: str) -> tuple[Example | None, str | None]:
    if not isinstance(record, Mapping):
        return None, f"{where}: expected a JSON object, got {type(record).__name__}"
    body = record.get("body")
    if not isinstance(body, str) or not body.strip():
        return None, f"{where}: 'body' must be a non-empty string"
    urgency = record.get("urgency")
    if urgency not in URGENCIES:
        expected = ", ".join(URGENCIES)
        return None, f"{where}: unknown urgency {urgency!r} (expected one of {expected})"
    topic = record.get("topic")
    if topic not in TOPICS:
        return None, f"{where}: unknown topic {topic!r} (expected one of {', '.join(TOPICS)})"
    note = record.get("note")
    if note is not None and not isinstance(note, str):
        return None, f"{where}: 'note' must be a string when present"
    return Example(body=body, urgency=urgency, topic=topic, source=where), None


def _raise_if_errors(errors: list[str]) -> None:
    if not errors:
        return
    shown = errors[:MAX_ERRORS_SHOWN]
    more = len(errors) - len(shown)
    tail = f"\n  … and {more} more" if more > 0 else ""
    raise CorpusError(
        f"{len(errors)} invalid labelled example(s):\n  " + "\n  ".join(shown) + tail
    )


def _validated(records: Iterable[tuple[object, str]], errors: list[str]) -> list[Example]:
    """Check (record, where) pairs; raise CorpusError listing every error, else the examples."""
    examples: list[Example] = []
    for record, where in records:
        example, error = _check_record(record, where)
        if error:
            errors.append(error)
        elif example is not None:
            examples.append(example)
    _raise_if_errors(errors)
    return examples


def load_jsonl(path: Path) -> list[Example]:
    """Read one JSONL file of {body, urgency, topic, note?}; raise CorpusError naming bad lines."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    errors: list[str] = []

    def records() -> Iterable[tuple[object, str]]:
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                yield json.loads(line), where
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")

    return _validated(records(), errors)


def load_corpus(data_dir: Path | None = None) -> dict[str, list[Example]]:
    """Load every `*.jsonl` file in data_dir (sorted by name) into {file name: examples}."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    if not data_dir.is_dir():
        raise CorpusError(f"{data_dir}: corpus directory does not exist")
    files = sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{data_dir}: no *.jsonl corpus files found")
    corpus: dict[str, list[Example]] = {}
    errors: list[str] = []
    for path in files:
        try:
            corpus[path.name] = load_jsonl(path)
        except CorpusError as exc:
            errors.append(str(exc))
    if errors:
        raise CorpusError("\n".join(errors))
    return corpus


def validate_extra(extra: Iterable[Mapping[str, object]], source: str = "extra") -> list[Example]:
    """Validate correction dicts {body, urgency, topic}; errors name the item's position."""
    pairs = ((record, f"{source} item {index}") for index, record in enumerate(extra, start=1))
    return _validated(pairs, [])


def load_frozen_test(path: Path | None = None) -> list[Example]:
    """The frozen test file: hard comments that no model is ever trained on."""
    return load_jsonl(Path(path) if path is not None else FROZEN_TEST_PATH)


def frozen_keys(path: Path | None = None) -> frozenset[str]:
    """Normalised bodies of the frozen test file (empty when the file is absent)."""
    path = Path(path) if path is not None else FROZEN_TEST_PATH
    if not path.is_file():
        return frozenset()
    return frozenset(normalise_body(e.body) for e in load_frozen_test(path))


def build_training_set(
    corpus: Mapping[str, list[Example]],
    extra: Iterable[Example] = (),
    exclude: frozenset[str] = frozenset(),
) -> TrainingSet:
    """Deduplicate by normalised body: first corpus occurrence kept, corrections always win.

    Examples whose normalised body is in `exclude` (the frozen test file) are dropped.
    """
    merged: dict[str, Example] = {}
    duplicates = conflicts = corrections = added = 0
    for examples in corpus.values():
        for example in examples:
            key = normalise_body(example.body)
            kept = merged.get(key)
            if kept is None:
                merged[key] = example
                continue
            duplicates += 1
            if (kept.urgency, kept.topic) != (example.urgency, example.topic):
                conflicts += 1
    for example in extra:
        key = normalise_body(example.body)
        kept = merged.get(key)
        if kept is None:
            added += 1
        elif kept.source.startswith("extra"):
            duplicates += 1
        else:
            corrections += 1
        merged[key] = example  # the midwives' correction wins over the corpus
    excluded = [key for key in merged if key in exclude]
    for key in excluded:
        del merged[key]
    return TrainingSet(
        examples=tuple(merged.values()),
        files={name: len(examples) for name, examples in corpus.items()},
        duplicates_dropped=duplicates,
        conflicting_duplicates=conflicts,
        corrections_applied=corrections,
        extra_added=added,
        frozen_excluded=len(excluded),
    )
