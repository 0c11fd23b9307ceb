"""Report tables: what the page shows, the chart draws and the CSV download holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any


@dataclass(frozen=True)
class Column:
    """One column of a report table; `kind` says how to show it (and how to write it in CSV)."""

    key: str
    label: str
    # text | count | seconds (clock time) | working (seconds of working time) | share | datetime
    kind: str = "text"


@dataclass
class Table:
    """A report table: what the page shows, the chart draws and the CSV download holds."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    caption: str = ""
    notes: dict[str, Any] = field(default_factory=dict)

    def csv_header(self) -> list[str]:
        """Column headings for the CSV file, with units."""
        units = {"seconds": " (seconds)", "working": " (seconds)", "share": " (%)"}
        return [column.label + units.get(column.kind, "") for column in self.columns]

    def csv_rows(self) -> list[list[Any]]:
        """Rows with plain values: seconds as numbers, shares as percentages, ISO times."""
        out = []
        for row in self.rows:
            cells = []
            for column in self.columns:
                value = row.get(column.key)
                if value is None:
                    cells.append("")
                elif column.kind in ("seconds", "working"):
                    cells.append(round(float(value), 1))
                elif column.kind == "share":
                    cells.append(round(float(value) * 100, 1))
                elif column.kind == "datetime":
                    cells.append(value.astimezone(UTC).isoformat().replace("+00:00", "Z"))
                else:
                    cells.append(value)
            out.append(cells)
        return out


def duration_columns(prefix: str = "") -> list[Column]:
    return [
        Column("median_clock", f"{prefix}Median, clock time", "seconds"),
        Column("p90_clock", f"{prefix}90th percentile, clock time", "seconds"),
        Column("median_working", f"{prefix}Median, working hours", "working"),
        Column("p90_working", f"{prefix}90th percentile, working hours", "working"),
    ]

