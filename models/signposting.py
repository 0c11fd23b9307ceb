"""The signposting register: the services people are sent to, kept in one place."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime, db, utcnow

# An entry not checked against its source for this long is flagged on the register page.
CHECK_INTERVAL = timedelta(days=183)


class SignpostingEntry(db.Model):
    """One service (999, NHS 111, Samaritans...) with its numbers and when it was last checked."""

    __tablename__ = "signposting_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # used as {{register:key}}
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    text_number: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str] = mapped_column(String(200), default="")
    nations: Mapped[list[str]] = mapped_column(JSON, default=list)  # england, scotland, ...
    web_address: Mapped[str | None] = mapped_column(String(500))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # red-flag categories
    how_to_use: Mapped[str] = mapped_column(Text, default="")  # one line: when to use it
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")  # where the details were checked
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def check_overdue(self, now: datetime) -> bool:
        """Tell whether the entry has gone more than six months without a check."""
        return now - self.checked_at > CHECK_INTERVAL

    def tel_href(self) -> str | None:
        """The phone number as a tel: link target (digits only)."""
        if not self.phone:
            return None
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return f"tel:{digits}" if digits else None
