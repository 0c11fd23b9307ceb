"""SQLAlchemy models of the moderation queue; imports nothing of the Flask app."""

from models.audit import AuditEvent
from models.base import Base, UTCDateTime, db, utcnow
from models.comment import COMMENT_STATUSES, Comment, LabelCorrection
from models.oncall import AlertChannel, Escalation, OnCallOverride, OnCallShift
from models.outbox import OUTBOX_STATUSES, OutboxMessage
from models.page import Page, Site
from models.presence import Presence
from models.reply import Reply, Snippet, SnippetVersion
from models.saved_view import SavedView
from models.setting import ServiceSetting
from models.user import ROLES, User

__all__ = [
    "AlertChannel",
    "AuditEvent",
    "Base",
    "COMMENT_STATUSES",
    "Comment",
    "Escalation",
    "LabelCorrection",
    "OUTBOX_STATUSES",
    "OnCallOverride",
    "OnCallShift",
    "OutboxMessage",
    "Page",
    "Presence",
    "ROLES",
    "Reply",
    "SavedView",
    "ServiceSetting",
    "Site",
    "Snippet",
    "SnippetVersion",
    "User",
    "UTCDateTime",
    "db",
    "utcnow",
]
