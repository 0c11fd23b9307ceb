"""What in a comment could identify the poster or someone else, before it is published.

Kinds: phone numbers (Google's libphonenumber rules via `phonenumbers`), email addresses, web
addresses, UK postcodes, hospital and trust names (patterns plus moderation/data/hospitals.txt),
full names (a first name from moderation/data/first_names.txt, or a title, followed by a
capitalised surname), dates of birth, and ages under 18. Each finding carries its exact text,
so the composer can offer one-click redaction of it. The figures of recall per kind, measured
on tests/data/identifiability.jsonl, are in docs/replies.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

DATA = Path(__file__).resolve().parent.parent / "data"
KINDS = ("phone", "email", "url", "postcode", "hospital", "name", "date_of_birth", "age")
KIND_LABELS = {
    "phone": "phone number",
    "email": "email address",
    "url": "web address",
    "postcode": "postcode",
    "hospital": "hospital or trust",
    "name": "full name",
    "date_of_birth": "date of birth",
    "age": "age under 18",
}

MIN_PHONE_DIGITS = 9
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|co\.uk|org\.uk|org|net|uk|io|me|info)(?:/[^\s<>\"']*)?",
    re.IGNORECASE)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
CAPITALISED = r"(?:St\.?|[A-Z][\w'’.-]*)"
HOSPITAL_PATTERN = re.compile(
    rf"(?:\bthe\s+)?(?:{CAPITALISED}\s+(?:and\s+|&\s+|of\s+|on\s+)?){{1,6}}"
    r"(?:Hospitals?|Infirmary|(?:NHS\s+)?(?:Foundation\s+)?Trust|Maternity\s+Unit|"
    r"Birth(?:ing)?\s+Centre|Medical\s+Centre|Health\s+Centre|Surgery|EPU|"
    r"Early\s+Pregnancy\s+Unit)\b")
TITLE_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Nurse|Midwife|Sister)\.?\s+[A-Z][a-z'’-]+"
                        r"(?:\s+[A-Z][a-z'’-]+)?\b")
MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
        rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{MONTHS}(?:,?\s+\d{{4}})?"
        rf"|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)")
DATE_OF_BIRTH = re.compile(
    rf"\b(?:born(?:\s+on)?|d\.?o\.?b\.?:?|date\s+of\s+birth:?\s*(?:is)?|birthday\s+is"
    rf"|birthday(?:\s+on)?)\s*(?:was\s+|on\s+|is\s+)?({DATE})", re.IGNORECASE)
UNITS_AFTER_NUMBER = (r"(?!\s*(?:weeks?|wks?|w\b|days?|months?|hours?|hrs?|mins?|minutes?|"
                      r"times?|pads?|kg|%|am|pm|cm|mm|ml|st|nd|rd|th|/|:|\.\d|-?\s*weeks?))")
# Ages written as words, so "I'm fifteen" is caught like "I'm 15".
AGE_WORDS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
             "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
AGE_NUMBER = rf"(\d{{1,2}}|{'|'.join(AGE_WORDS)})"
AGE_PATTERNS = (
    re.compile(rf"\b(?:i'?m|i\s+am|im|aged?|age\s+is|only|just\s+turned|she'?s|he'?s|"
               rf"(?:she|he)\s+is|at)\s+{AGE_NUMBER}\b{UNITS_AFTER_NUMBER}"
               r"(?!\s*(?:years?|yrs?)\s+(?:ago|since|later|before|after))", re.IGNORECASE),
    re.compile(rf"\b{AGE_NUMBER}\s*(?:-|\s)?(?:years?|yrs?|yr)(?:\s*|-)(?:old|of\s+age)\b",
               re.IGNORECASE),
    re.compile(r"\b(\d{1,2})\s*(?:y/?o|yo)\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Identifier:
    """One thing in the text that could identify someone: its kind and exact text."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _hospital_list() -> re.Pattern[str]:
    names = sorted(_lines("hospitals.txt"), key=len, reverse=True)
    alternatives = "|".join(re.escape(name).replace("'", "['’]") for name in names)
    return re.compile(rf"\b(?:{alternatives})(?:\s+(?:Hospital|Infirmary))?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _full_name() -> re.Pattern[str]:
    firsts = "|".join(re.escape(name) for name in _lines("first_names.txt"))
    # A surname: capitalised, and not a word that merely starts a sentence after the name.
    return re.compile(rf"\b(?:{firsts})\s+(?!(?:And|But|The|Is|Was|Has|I|If)\b)"
                      r"(?:Mc|Mac|O'|O’)?[A-Z][a-z'’-]{1,}(?:-[A-Z][a-z]+)?\b")


def _phones(text: str) -> list[Identifier]:
    found = []
    # POSSIBLE, not VALID: Ofcom's drama ranges and new mobile ranges fail VALID but still
    # reach a person. Fewer than 9 digits is a year, a count or a short code (999, 111).
    for match in phonenumbers.PhoneNumberMatcher(text, "GB",
                                                 leniency=phonenumbers.Leniency.POSSIBLE):
        if sum(ch.isdigit() for ch in match.raw_string) >= MIN_PHONE_DIGITS:
            found.append(Identifier("phone", match.raw_string, match.start, match.end))
    return found


def _regex(kind: str, pattern: re.Pattern[str], text: str, group: int = 0) -> list[Identifier]:
    return [Identifier(kind, m.group(group), m.start(group), m.end(group))
            for m in pattern.finditer(text)]


def _ages(text: str) -> list[Identifier]:
    found = []
    for pattern in AGE_PATTERNS:
        for match in pattern.finditer(text):
            number = match.group(1).lower()
            if (AGE_WORDS[number] if number in AGE_WORDS else int(number)) < 18:
                found.append(Identifier("age", match.group(0), match.start(), match.end()))
    return found


def _hospitals(text: str) -> list[Identifier]:
    found = _regex("hospital", _hospital_list(), text)
    for match in HOSPITAL_PATTERN.finditer(text):
        words = match.group(0)
        start = match.start()
        if words.lower().startswith("the "):  # "the" is not part of the name to remove
            start += 4
            words = words[4:]
        found.append(Identifier("hospital", words, start, match.end()))
    return found


def find_identifiers(text: str) -> list[Identifier]:
    """Everything in `text` that could identify someone, in order (overlaps of a kind merged)."""
    text = text or ""
    candidates = [
        *_phones(text),
        *_regex("email", EMAIL, text),
        *_regex("postcode", POSTCODE, text),
        *_hospitals(text),
        *_regex("name", _full_name(), text),
        *_regex("name", TITLE_NAME, text),
        *_regex("date_of_birth", DATE_OF_BIRTH, text, group=1),
        *_ages(text),
    ]
    emails = [c for c in candidates if c.kind == "email"]
    # A web address inside an email address is the email's domain, not a separate finding.
    for url in _regex("url", URL, text):
        if not any(e.start <= url.start and url.end <= e.end for e in emails):
            candidates.append(url)
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Identifier] = []
    for candidate in candidates:
        # Findings of one kind that overlap become one, covering both ("At 16 years of age").
        same = next((i for i, k in enumerate(kept)
                     if k.kind == candidate.kind and candidate.start < k.end), None)
        if same is None:
            kept.append(candidate)
            continue
        merged = kept[same]
        end = max(merged.end, candidate.end)
        kept[same] = Identifier(merged.kind, text[merged.start:end], merged.start, end)
    return kept


def identifiers_needing_a_tick(comment, ticked: bool) -> str | None:
    """Why publishing must wait: identifying details left and not acknowledged; else None."""
    left = identifiers_in_public_text(comment)
    if not left or ticked:
        return None
    kinds = ", ".join(dict.fromkeys(found.label for found in left))
    return (f"The comment still contains what could identify someone ({kinds}). Redact it, "
            "or tick “Publish with these details left in” if they are safe to show. Your "
            "text is kept below.")


def identifiers_in_public_text(comment) -> list[Identifier]:
    """What is still identifiable in the text the public would see (redactions applied)."""
    return [found for found in find_identifiers(comment.public_body)
            if "[removed]" not in found.text]
