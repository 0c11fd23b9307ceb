"""The signposting register: supervisors keep the services people are sent to, checked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import AuditEvent, SignpostingEntry, db, utcnow
from moderation.services.signposting import (
    EntryInput,
    SignpostingError,
    create_entry,
    get_entry,
    missing_keys,
    overdue_entries,
    render_register_refs,
    seed_register,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def register(app):
    seed_register()
    db.session.commit()


def _input(**overrides) -> EntryInput:
    values = dict(name="Local crisis line", phone="0800 000 0000", hours="Any time",
                  nations=("england",), categories=("mental_health_crisis",),
                  checked_by="Grace Okafor", source="https://www.example.org/crisis")
    values.update(overrides)
    return EntryInput(**values)


def test_the_seed_holds_the_reviewed_services_with_the_right_numbers(register):
    numbers = {key: (e.phone, e.text_number) for key, e in
               ((k, get_entry(k)) for k in ("miscarriage_association", "samaritans", "shout",
                                            "domestic_abuse_helpline", "childline",
                                            "mens_advice_line", "lifeline_ni"))}
    assert numbers["miscarriage_association"] == ("01924 200799", None)  # not 01914
    assert numbers["samaritans"] == ("116 123", None)
    assert numbers["shout"] == (None, "85258")
    assert numbers["domestic_abuse_helpline"] == ("0808 2000 247", None)
    assert numbers["childline"] == ("0800 1111", None)
    assert numbers["mens_advice_line"] == ("0808 801 0327", None)
    assert numbers["lifeline_ni"] == ("0808 808 8000", None)
    for key in ("emergency_999", "silent_call_55", "nhs_111", "nhs_111_mental_health", "nhs_24"):
        assert get_entry(key) is not None


def test_seeding_twice_adds_nothing_and_never_overwrites(register):
    entry = get_entry("samaritans")
    entry.hours = "changed by a supervisor"
    db.session.commit()
    assert seed_register() == 0
    assert get_entry("samaritans").hours == "changed by a supervisor"


def test_an_entry_the_review_could_not_source_is_flagged_at_once(register):
    """Lifeline came from the reviewer's memory: it must be checked before anyone relies on it."""
    assert [e.key for e in overdue_entries()] == ["lifeline_ni"]


def test_an_entry_not_checked_for_six_months_is_flagged(register):
    entry = get_entry("samaritans")
    entry.checked_at = utcnow() - timedelta(days=200)
    db.session.commit()
    assert "samaritans" in [e.key for e in overdue_entries()]


def test_register_references_render_the_current_details(register):
    text = "Talk to {{register:samaritans}} or text {{register:shout}}."
    rendered = render_register_refs(text)
    assert "Samaritans on 116 123" in rendered and "SHOUT text 85258" in rendered
    get_entry("samaritans").phone = "116 999"
    db.session.commit()
    assert "Samaritans on 116 999" in render_register_refs(text)


def test_an_unknown_register_key_is_reported(register):
    assert missing_keys("{{register:samaritans}} {{register:nope}}") == ["nope"]


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "call us!"), ("web_address", "javascript:alert(1)"), ("name", ""),
    ("name", "x" * 201), ("nations", ()), ("categories", ("made_up",)), ("source", ""),
    ("checked_by", ""),
])
def test_bad_entries_are_refused_with_the_field_named(app, supervisor, field, value):
    with pytest.raises(SignpostingError) as refused:
        create_entry("local_crisis", _input(**{field: value}), supervisor)
    assert field in refused.value.errors


def test_supervisor_adds_an_entry_and_it_is_audited(supervisor_client, supervisor):
    response = supervisor_client.post("/signposting/new", data={
        "key": "local_crisis", "name": "Local crisis line", "phone": "0800 000 0000",
        "hours": "Any time", "nations": ["england"], "categories": ["mental_health_crisis"],
        "checked_by": "Grace", "source": "https://www.example.org/crisis"})
    assert response.status_code == 303
    entry = get_entry("local_crisis")
    assert entry.phone == "0800 000 0000" and entry.updated_by_id == supervisor.id
    assert db.session.query(AuditEvent).filter_by(action="signposting.created").count() == 1


def test_a_refused_entry_keeps_what_was_typed(supervisor_client):
    response = supervisor_client.post("/signposting/new", data={
        "key": "local_crisis", "name": "Local crisis line", "phone": "ring us",
        "nations": ["england"], "checked_by": "Grace", "source": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="Local crisis line"' in html
    assert "Digits and spaces only" in html
    assert db.session.query(SignpostingEntry).count() == 0


def test_hostile_text_in_an_entry_is_shown_escaped(supervisor_client, supervisor):
    create_entry("hostile", _input(name=HOSTILE, how_to_use=HOSTILE, source=HOSTILE),
                 supervisor)
    db.session.commit()
    html = supervisor_client.get("/signposting/").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_the_page_flags_overdue_entries_and_a_check_clears_it(supervisor_client, register):
    html = supervisor_client.get("/signposting/").get_data(as_text=True)
    assert html.count("Check overdue") == 1 and 'id="entry-lifeline_ni" class="overdue"' in html
    response = supervisor_client.post("/signposting/lifeline_ni/checked", data={
        "checked_by": "Grace", "source": "https://www.lifelinehelpline.info"})
    assert response.status_code == 303
    assert not get_entry("lifeline_ni").check_overdue(utcnow())


def test_midwives_cannot_change_the_register(midwife_client, register):
    assert midwife_client.get("/signposting/").status_code == 403
    assert midwife_client.post("/signposting/samaritans/checked", data={
        "checked_by": "x", "source": "y"}).status_code == 403


def test_the_cli_seeds_and_lists_the_register(app, runner):
    assert "12 added" in runner.invoke(args=["signposting", "seed"]).output
    listing = runner.invoke(args=["signposting", "list"]).output
    assert "CHECK OVERDUE lifeline_ni" in listing and "samaritans: Samaritans 116 123" in listing
