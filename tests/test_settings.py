"""Settings a supervisor can change."""

from __future__ import annotations

import pytest

from models import AuditEvent, db
from moderation.services.settings import current_policy, update_settings


def test_defaults_apply_until_changed(app):
    policy = current_policy()
    assert policy.urgent_target_minutes == 60
    assert policy.priority_target_working_hours == 4
    assert policy.claim_timeout_minutes == 3


def test_a_change_is_stored_and_audited(app, supervisor):
    update_settings({"claim_timeout_minutes": 30}, supervisor)
    db.session.commit()
    assert current_policy().claim_timeout_minutes == 30
    event = db.session.query(AuditEvent).filter_by(action="settings.updated").one()
    assert event.details["before"] == {"claim_timeout_minutes": 3}
    assert event.details["after"] == {"claim_timeout_minutes": 30}


@pytest.mark.parametrize("changes", [
    {"workday_start": "18:00", "workday_end": "09:00"},
    {"urgent_target_minutes": 0},
    {"no_such_setting": 1},
    {"workday_start": "nine"},
])
def test_invalid_settings_are_refused(app, supervisor, changes):
    with pytest.raises(ValueError):
        update_settings(changes, supervisor)
