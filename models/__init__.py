"""SQLAlchemy models of the moderation queue; imports nothing of the Flask app."""

from models.audit import AuditEvent
from models.base import Base, UTCDateTime, db, utcnow
from models.comment import COMMENT_STATUSES, Comment, LabelCorrection
from models.health import WorkerHeartbeat
from models.incident import Incident, IncidentStep
from models.model_release import RELEASE_STATUSES, ModelRelease
from models.near_miss import NearMiss
from models.oncall import AlertChannel, Escalation, OnCallOverride, OnCallShift
from models.outbox import OUTBOX_STATUSES, OutboxMessage
from models.page import Page, Site
from models.presence import Presence
from models.reply import Reply, ReplyVersion, Snippet, SnippetReference, SnippetVersion
from models.report_rollup import ReportReceivedDay, ReportRollupDay, ReportTriageDay
from models.review import REVIEW_CHECKS, REVIEW_SOURCES, REVIEW_VERDICTS, ReplyReview
from models.safeguarding import NoteMention, SafeguardingRecord, ThreadNote
from models.saved_view import SavedView
from models.search_index import create_search_index, drop_search_index
from models.session import UserSession
from models.setting import ServiceSetting
from models.signposting import SignpostingEntry
from models.user import ROLES, User
from models.wellbeing import DebriefRequest, DistressingOpen

__all__ = [
    "AlertChannel",
    "AuditEvent",
    "Base",
    "COMMENT_STATUSES",
    "Comment",
    "DebriefRequest",
    "DistressingOpen",
    "Escalation",
    "Incident",
    "IncidentStep",
    "LabelCorrection",
    "NoteMention",
    "OUTBOX_STATUSES",
    "OnCallOverride",
    "OnCallShift",
    "OutboxMessage",
    "ModelRelease",
    "NearMiss",
    "Page",
    "RELEASE_STATUSES",
    "Presence",
    "ROLES",
    "SafeguardingRecord",
    "Reply",
    "ReplyVersion",
    "ReplyReview",
    "REVIEW_CHECKS",
    "REVIEW_SOURCES",
    "REVIEW_VERDICTS",
    "ReportReceivedDay",
    "ReportRollupDay",
    "ReportTriageDay",
    "SavedView",
    "ServiceSetting",
    "SignpostingEntry",
    "Site",
    "Snippet",
    "SnippetReference",
    "SnippetVersion",
    "ThreadNote",
    "User",
    "UserSession",
    "UTCDateTime",
    "WorkerHeartbeat",
    "create_search_index",
    "drop_search_index",
    "db",
    "utcnow",
]
