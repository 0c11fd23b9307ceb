"""Comment intake: one validation and one creation path for the API, the public form and imports.

`validation` checks a request against the schema the API publishes, `store` de-duplicates,
triages and stores it, `files` reads a backlog from JSON lines or CSV.
"""

from moderation.services.intake.files import (
    CSV_COLUMNS,
    IMPORT_BATCH,
    ImportFileError,
    ImportRecord,
    ImportReport,
    detect_format,
    import_batch,
    open_import_text,
    read_csv,
    read_jsonl,
)
from moderation.services.intake.store import (
    PUBLIC_TOKEN_PATTERN,
    THREAD_CLOSED,
    IntakeResult,
    comment_receipt,
    find_comment,
    follow_up_target,
    new_form_token,
    receive_comment,
    submit_public_comment,
    thread_root,
)
from moderation.services.intake.validation import (
    MAX_BODY,
    CommentInput,
    IntakeError,
    validate_comment,
)

__all__ = [
    "CSV_COLUMNS", "IMPORT_BATCH", "MAX_BODY", "PUBLIC_TOKEN_PATTERN", "THREAD_CLOSED",
    "CommentInput", "ImportFileError", "ImportRecord", "ImportReport", "IntakeError",
    "IntakeResult", "comment_receipt", "detect_format", "find_comment", "follow_up_target",
    "import_batch", "new_form_token", "open_import_text", "read_csv", "read_jsonl",
    "receive_comment", "submit_public_comment", "thread_root", "validate_comment",
]
