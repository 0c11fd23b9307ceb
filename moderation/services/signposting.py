"""The signposting register: services people are sent to, referred to everywhere by key.

Snippets, the public page's advice and the API's advice name an entry as `{{register:key}}`
(or by key in code), so a number changed here is changed everywhere at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from classifier.safety import CATEGORIES
from models import SignpostingEntry, User, db, utcnow
from moderation.services.audit import record_event
from moderation.services.cache import app_cache

SEED_FILE = Path(__file__).resolve().parent.parent / "signposting.json"
REGISTER_REF = re.compile(r"\{\{\s*register:([^}\s]*)\s*\}\}")
KEY_PATTERN = re.compile(r"[a-z0-9_]{2,64}")
PHONE_PATTERN = re.compile(r"[0-9 ]{2,40}")
NATIONS = ("england", "scotland", "wales", "northern_ireland")
NATION_NAMES = {"england": "England", "scotland": "Scotland", "wales": "Wales",
                "northern_ireland": "Northern Ireland"}
# A date seeded for entries the review could not source, so the register flags them at once.
NEVER_CHECKED = datetime(2000, 1, 1, tzinfo=UTC)
LIMITS = {"name": 200, "hours": 200, "web_address": 500, "how_to_use": 1000,
          "checked_by": 200, "source": 4000}


class SignpostingError(ValueError):
    """An entry that cannot be saved; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class EntryInput:
    """What a supervisor typed for one entry."""

    name: str
    phone: str = ""
    text_number: str = ""
    hours: str = ""
    nations: tuple[str, ...] = ()
    web_address: str = ""
    categories: tuple[str, ...] = ()
    how_to_use: str = ""
    checked_by: str = ""
    source: str = ""


def all_entries() -> list[SignpostingEntry]:
    """Every entry, by name."""
    return list(db.session.scalars(select(SignpostingEntry).order_by(SignpostingEntry.name)))


def entries_by_key(keys: list[str] | None = None) -> dict[str, SignpostingEntry]:
    """Entries by key (all of them, or only these keys)."""
    query = select(SignpostingEntry)
    if keys is not None:
        query = query.where(SignpostingEntry.key.in_(keys))
    return {entry.key: entry for entry in db.session.scalars(query)}


def get_entry(key: str) -> SignpostingEntry | None:
    """The entry with this key, if there is one."""
    return db.session.scalar(select(SignpostingEntry).where(SignpostingEntry.key == key))


def overdue_entries(now: datetime | None = None) -> list[SignpostingEntry]:
    """Entries not checked against their source for six months or more."""
    now = now or utcnow()
    return [entry for entry in all_entries() if entry.check_overdue(now)]


def referenced_keys(text: str) -> list[str]:
    """The register keys a text names as {{register:key}}, in order, each once."""
    return list(dict.fromkeys(REGISTER_REF.findall(text or "")))


def missing_keys(text: str) -> list[str]:
    """Keys named in a text that the register does not have (a snippet naming one is refused)."""
    keys = referenced_keys(text)
    known = entries_by_key(keys) if keys else {}
    return [key for key in keys if key not in known]


def describe(entry: SignpostingEntry) -> str:
    """One line of plain text for an entry: its name and how to reach it."""
    parts = [entry.name]
    if entry.phone:
        parts.append(f"on {entry.phone}")
    if entry.text_number:
        parts.append(f"{'or text' if entry.phone else 'text'} {entry.text_number}")
    line = " ".join(parts)
    return f"{line} ({entry.hours})" if entry.hours else line


def render_register_refs(text: str, entries: dict[str, SignpostingEntry] | None = None) -> str:
    """Replace each {{register:key}} with the entry's current details (plain text, escaped later).

    An unknown key is left as it is, so the publish check can refuse it; snippets with one
    are refused when saved.
    """
    keys = referenced_keys(text)
    if not keys:
        return text
    entries = entries if entries is not None else entries_by_key(keys)

    def replace(match: re.Match[str]) -> str:
        entry = entries.get(match.group(1))
        return describe(entry) if entry is not None else match.group(0)

    return REGISTER_REF.sub(replace, text)


def _clean_lengths(data: EntryInput, values: dict[str, Any], errors: dict[str, str]) -> None:
    for name, limit in LIMITS.items():
        value = (getattr(data, name) or "").strip()
        if len(value) > limit:
            errors[name] = f"At most {limit} characters."
        values[name] = value
    if not values["name"]:
        errors["name"] = "Give the service's name."


def _clean_contacts(data: EntryInput, values: dict[str, Any], errors: dict[str, str]) -> None:
    for name in ("phone", "text_number"):
        value = (getattr(data, name) or "").strip()
        if value and not PHONE_PATTERN.fullmatch(value):
            errors[name] = "Digits and spaces only, as people should dial it (e.g. 116 123)."
        values[name] = value or None
    if not values["phone"] and not values["text_number"] and not values["web_address"]:
        errors["phone"] = "Give at least a phone number, a text number or a web address."
    web = values["web_address"]
    if web and not re.fullmatch(r"https://[^\s<>\"']+", web):
        errors["web_address"] = "A web address starting with https://, without spaces."
    values["web_address"] = web or None


def _clean_choices(data: EntryInput, values: dict[str, Any], errors: dict[str, str]) -> None:
    bad_nations = [n for n in data.nations if n not in NATIONS]
    if bad_nations or not data.nations:
        errors["nations"] = "Choose the nations the service covers."
    values["nations"] = [n for n in NATIONS if n in data.nations]
    bad = [c for c in data.categories if c not in CATEGORIES]
    if bad:
        errors["categories"] = f"Unknown category: {', '.join(bad)}."
    values["categories"] = [c for c in CATEGORIES if c in data.categories]


def _clean(data: EntryInput) -> tuple[dict[str, Any], dict[str, str]]:
    """The entry's values, trimmed, and a message per field that is not acceptable."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    _clean_lengths(data, values, errors)
    _clean_contacts(data, values, errors)
    _clean_choices(data, values, errors)
    if not values["checked_by"]:
        errors["checked_by"] = "Say who checked these details."
    if not values["source"]:
        errors["source"] = "Say where the details were checked (the service's own page)."
    return values, errors


def create_entry(key: str, data: EntryInput, user: User | None) -> SignpostingEntry:
    """Add an entry, checked now by whoever is named (flushed; the caller commits)."""
    key = (key or "").strip()
    values, errors = _clean(data)
    if not KEY_PATTERN.fullmatch(key):
        errors["key"] = "2 to 64 lower-case letters, digits or _."
    elif get_entry(key) is not None:
        errors["key"] = "An entry with this key already exists."
    if errors:
        raise SignpostingError(errors)
    now = utcnow()
    entry = SignpostingEntry(key=key, checked_at=now, updated_at=now,
                             updated_by_id=user.id if user else None, **values)
    db.session.add(entry)
    db.session.flush()
    forget_register_copies()
    record_event(user, "signposting.created", "signposting_entry", entry.id, key=key, **values)
    return entry


def forget_register_copies() -> None:
    """Drop this worker's copy of the register kept for intake's advice (see advice.py)."""
    app_cache("signposting_refs").clear()


def update_entry(entry: SignpostingEntry, data: EntryInput, user: User | None) -> None:
    """Change an entry; saving it records a new check by the person named (flushed)."""
    values, errors = _clean(data)
    if errors:
        raise SignpostingError(errors)
    before = {name: getattr(entry, name) for name in values}
    for name, value in values.items():
        setattr(entry, name, value)
    now = utcnow()
    entry.checked_at = now
    entry.updated_at = now
    entry.updated_by_id = user.id if user else None
    forget_register_copies()
    record_event(user, "signposting.updated", "signposting_entry", entry.id, key=entry.key,
                 before=before, after=values)


def mark_checked(entry: SignpostingEntry, user: User | None, checked_by: str,
                 source: str) -> None:
    """Record that the entry was checked against its source today, unchanged (flushed)."""
    errors = {}
    if not checked_by.strip():
        errors["checked_by"] = "Say who checked these details."
    if not source.strip():
        errors["source"] = "Say where the details were checked."
    if errors:
        raise SignpostingError(errors)
    entry.checked_at = utcnow()
    entry.checked_by = checked_by.strip()[:200]
    entry.source = source.strip()[:4000]
    record_event(user, "signposting.checked", "signposting_entry", entry.id, key=entry.key,
                 checked_by=entry.checked_by, source=entry.source)


def seed_register(path: Path | None = None) -> int:
    """Add the seed entries whose keys are missing; never overwrite an existing entry."""
    seed = json.loads((path or SEED_FILE).read_text(encoding="utf-8"))
    checked_at = datetime.fromisoformat(seed["checked_at"].replace("Z", "+00:00"))
    existing = set(entries_by_key())
    added = 0
    for item in seed["entries"]:
        if item["key"] in existing:
            continue
        not_checked = bool(item.get("not_checked"))
        db.session.add(SignpostingEntry(
            key=item["key"], name=item["name"], phone=item.get("phone"),
            text_number=item.get("text_number"), hours=item.get("hours", ""),
            nations=list(item["nations"]), web_address=item.get("web_address"),
            categories=list(item["categories"]), how_to_use=item.get("how_to_use", ""),
            checked_at=NEVER_CHECKED if not_checked else checked_at,
            checked_by="not checked yet" if not_checked else seed["checked_by"],
            source=item["source"], updated_at=utcnow(),
        ))
        added += 1
    db.session.flush()
    forget_register_copies()
    return added
