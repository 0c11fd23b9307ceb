"""Downloads as documents: CSV that spreadsheets open safely, JSON arrays and JSON Lines.

One definition of CSV-injection neutralising and the Excel BOM for every download (exports,
reports, the audit trail, the safeguarding log).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}
# Rows per chunk of a streamed download (and per round trip of an export's query).
BATCH_SIZE = 500
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> Any:
    """Stop a text cell from being read as a formula by a spreadsheet (prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]],
                 batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """CSV for Excel: UTF-8 BOM, CRLF, quoted newlines and commas, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([neutralise(cell) for cell in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % batch_size == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_array(records: Iterable[dict[str, Any]],
               batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """A JSON array, one record per line, written out in batches."""
    parts = ["["]
    for count, record in enumerate(records):
        parts.append(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
        if len(parts) >= batch_size:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


def json_lines(records: Iterable[dict[str, Any]],
               batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """JSON Lines (one record per line), written out in batches."""
    parts: list[str] = []
    for record in records:
        parts.append(json.dumps(record, ensure_ascii=False) + "\n")
        if len(parts) >= batch_size:
            yield "".join(parts)
            parts = []
    yield "".join(parts)
