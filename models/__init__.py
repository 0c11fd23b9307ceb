"""SQLAlchemy models of the moderation queue; imports nothing of the Flask app."""

from models.audit import AuditEvent
from models.base import Base, UTCDateTime, db, utcnow
from models.comment import COMMENT_STATUSES, Comment, LabelCorrection
from models.page import Page, Site
from models.reply import Reply, Snippet, SnippetVersion
from models.session import UserSession
from models.setting import ServiceSetting
from models.user import ROLES, User

__all__ = [
    "AuditEvent",
    "Base",
    "COMMENT_STATUSES",
    "Comment",
    "LabelCorrection",
    "Page",
    "ROLES",
    "Reply",
    "ServiceSetting",
    "Site",
    "Snippet",
    "SnippetVersion",
    "User",
    "UserSession",
    "UTCDateTime",
    "db",
    "utcnow",
]
