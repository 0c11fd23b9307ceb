"""The probe's medium and low findings, each a behaviour the users now rely on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import Comment, Page, Reply, db, utcnow
from moderation.services.claims import claim_comment
from moderation.services.intake import receive_comment
from moderation.services.relabelling import RelabelError, relabel_comment
from moderation.services.replies import InvalidReply, publish_reply
from moderation.services.sites import create_site


def fresh(comment_id: int) -> Comment:
    return db.session.get(Comment, comment_id, populate_existing=True)


def comment_request(site_page: str = "after-a-miscarriage", **page: str) -> dict:
    return {
        "page": {"slug": site_page, "title": page.get("title", "After a miscarriage"),
                 "url": page.get("url", f"https://www.example.org/{site_page}")},
        "author_name": "Jo", "body": "Is it normal to bleed for two weeks after?",
        "external_id": page.get("external_id", "ext-1"),
        "posted_at": (utcnow() - timedelta(minutes=2)).isoformat(),
    }


# --- Reading is not claiming ------------------------------------------------------------------

def test_opening_a_comment_by_get_claims_nothing(midwife_client, make_comment):
    comment = make_comment(urgency="urgent")
    assert midwife_client.get(f"/comments/{comment.id}").status_code == 200
    assert fresh(comment.id).claimed_by_id is None
    assert fresh(comment.id).version == comment.version


def test_the_claim_post_needs_a_csrf_token(app, midwife_client, make_comment):
    comment = make_comment()
    app.config["WTF_CSRF_ENABLED"] = True
    assert midwife_client.post(f"/comments/{comment.id}/claim").status_code == 400
    assert fresh(comment.id).claimed_by_id is None


# --- Pages belong to the site that created them ---------------------------------------------

def test_a_site_cannot_retitle_or_relink_another_sites_page(app):
    owner, _ = create_site("charity-website")
    other, _ = create_site("partner-blog")
    receive_comment(comment_request(), owner)
    receive_comment(comment_request(title="Buy cheap pills", url="https://evil.example/",
                                    external_id="ext-2"), other)
    db.session.commit()
    page = db.session.scalar(select(Page))
    assert (page.title, page.url) == ("After a miscarriage",
                                      "https://www.example.org/after-a-miscarriage")
    assert page.site_id == owner.id


def test_the_owning_site_can_still_retitle_its_page(app):
    owner, _ = create_site("charity-website")
    receive_comment(comment_request(), owner)
    receive_comment(comment_request(title="After a miscarriage: recovery", external_id="e2"),
                    owner)
    db.session.commit()
    assert db.session.scalar(select(Page.title)) == "After a miscarriage: recovery"


def test_no_site_can_retitle_a_page_made_here(app, make_page):
    make_page("after-a-miscarriage", "After a miscarriage")
    site, _ = create_site("charity-website")
    receive_comment(comment_request(title="Hijacked"), site)
    db.session.commit()
    assert db.session.scalar(select(Page.title)) == "After a miscarriage"


# --- Relabel and publish check the claim, status and snippet ----------------------------------

def test_relabelling_a_comment_someone_else_holds_is_refused(midwife, make_user, make_comment):
    priya = make_user("midwife", name="Priya Shah")
    comment = make_comment(urgency="routine")
    claim_comment(comment.id, priya)
    db.session.commit()
    with pytest.raises(RelabelError, match="Being answered by"):
        relabel_comment(comment.id, midwife, urgency="urgent")
    assert fresh(comment.id).urgency == "routine"


def test_relabelling_a_published_comment_is_refused(midwife, make_comment):
    comment = make_comment(status="published")
    with pytest.raises(RelabelError, match="already published"):
        relabel_comment(comment.id, midwife, topic="other")


def test_relabelling_a_free_comment_still_works(midwife, make_comment):
    comment = make_comment(urgency="routine")
    assert relabel_comment(comment.id, midwife, urgency="urgent").urgency == "urgent"


def test_publishing_with_a_made_up_snippet_is_refused(midwife, make_comment, make_snippet):
    snippet = make_snippet()
    comment = make_comment()
    for snippet_id, version in ((999_999, 1), (snippet.id, 7), (snippet.id, None)):
        with pytest.raises(InvalidReply, match="snippet"):
            publish_reply(comment.id, midwife, "Thank you for writing to us.",
                          expected_version=comment.version, snippet_id=snippet_id,
                          snippet_version=version)
    assert db.session.scalar(select(func.count(Reply.id))) == 0
    reply = publish_reply(comment.id, midwife, "Thank you for writing to us.",
                          expected_version=comment.version, snippet_id=snippet.id,
                          snippet_version=1)
    assert reply.snippet_version == 1


# --- Out-of-range and NUL input: 400/404, never 500 -------------------------------------------

def test_huge_ids_in_addresses_are_404(midwife_client, supervisor_client):
    huge = 10**20
    for path in (f"/comments/{huge}", f"/comments/{2**31}"):
        assert midwife_client.get(path).status_code == 404
    assert midwife_client.post(f"/comments/{huge}/publish", data={
        "body": "x", "expected_version": 1, "confirm": "y"}).status_code == 404


def test_a_huge_snippet_id_in_the_publish_form_is_refused_not_a_500(midwife_client,
                                                                     make_comment):
    comment = make_comment()
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Thank you for writing.", "expected_version": comment.version, "confirm": "y",
        "snippet_id": str(10**20), "snippet_version": "1"})
    assert response.status_code in (400, 422)
    assert "Thank you for writing." in response.get_data(as_text=True)
    assert fresh(comment.id).status == "pending"


def test_a_nul_byte_in_a_midwifes_publish_is_400_not_500(midwife_client, make_comment):
    comment = make_comment()
    response = midwife_client.post(f"/comments/{comment.id}/publish", data={
        "body": "Thank you\x00 for writing.", "expected_version": comment.version,
        "confirm": "y"})
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)
    assert "Thank you\x00 for writing." in response.get_data(as_text=True) or (
        "Thank you" in response.get_data(as_text=True))
    assert fresh(comment.id).status == "pending"


def test_a_nul_byte_in_a_reject_reason_is_refused_not_a_500(midwife_client, make_comment):
    comment = make_comment()
    response = midwife_client.post(f"/comments/{comment.id}/reject", data={
        "body": "", "reason": "spam\x00 link", "expected_version": comment.version})
    assert response.status_code in (400, 422)
    assert fresh(comment.id).status == "pending"


@pytest.mark.parametrize("query", [
    "period=custom&date_from=9999-12-01&date_to=9999-12-31",
    "period=custom&date_from=2026-01-01&date_to=9999-12-31",
])
def test_far_future_report_dates_are_400_not_500(supervisor_client, query):
    response = supervisor_client.get("/supervisor/?" + query)
    assert response.status_code == 400


def test_a_far_future_export_date_is_refused_not_a_500(supervisor_client):
    response = supervisor_client.post("/exports/threads", data={
        "format": "csv", "date_to": "9999-12-31"})
    assert response.status_code in (400, 422)


def test_a_far_future_export_date_is_refused_on_the_command_line(runner):
    result = runner.invoke(args=["export", "threads", "--format", "csv", "--to", "9999-12-31"])
    assert result.exit_code != 0 and "out of range" in result.output


def test_the_sign_out_response_wipes_the_browsers_storage(midwife_client):
    response = midwife_client.post("/logout")
    assert '"storage"' in response.headers["Clear-Site-Data"]


# --- Pseudonymised exports cannot be joined to the public feed ---------------------------------

@pytest.mark.committed
def test_pseudonymised_export_thread_ids_are_not_the_feeds_comment_ids(
        supervisor_client, midwife, make_comment, make_reply):
    import json

    comment = make_comment(author_name="Alex Smith", status="published",
                           first_replied_at=utcnow())
    make_reply(comment, midwife)
    response = supervisor_client.post("/exports/threads",
                                      data={"format": "json", "pseudonymise": "y"})
    [record] = json.loads(response.get_data(as_text=True))
    assert record["thread_id"] != comment.id and str(comment.id) != record["thread_id"]
    assert record["thread_id"].startswith("t_")
    again = supervisor_client.post("/exports/threads",
                                   data={"format": "json", "pseudonymise": "y"})
    assert json.loads(again.get_data(as_text=True))[0]["thread_id"] == record["thread_id"]
    feed = supervisor_client.get("/api/v1/pages/after-a-miscarriage/comments").get_json()
    assert record["thread_id"] not in json.dumps(feed)


# --- The SQLite file is private -----------------------------------------------------------------

def test_the_sqlite_file_is_created_readable_by_its_owner_only(tmp_path, triage_model_path):
    import os
    import stat

    from moderation import create_app

    path = tmp_path / "private" / "moderation.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "TRIAGE_MODEL_PATH": str(triage_model_path)})
    with app.app_context():
        db.create_all()
        db.session.execute(select(func.count(Page.id)))
        db.engine.dispose()
    for name in os.listdir(path.parent):
        mode = stat.S_IMODE(os.stat(path.parent / name).st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"


def test_a_button_only_form_carries_a_token_that_the_server_accepts(app, midwife_client):
    # The sign-out button renders its token through a Flask-WTF form (csrf_field), no id.
    app.config["WTF_CSRF_ENABLED"] = True
    html = midwife_client.get("/queue/").get_data(as_text=True)
    sign_out = html[html.index('id="sign-out-form"'):]
    sign_out = sign_out[:sign_out.index("</form>")]
    token = re.search(r'<input name="csrf_token" type="hidden" value="([^"]+)">', sign_out)
    assert token, sign_out
    assert midwife_client.post("/logout", data={}).status_code == 400
    response = midwife_client.post("/logout", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
