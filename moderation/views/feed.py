"""The feed: the demo public article pages and the website's JSON feed of published threads."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, session

from models import Page
from moderation.errors import problem_response
from moderation.forms.intake import PublicCommentForm
from moderation.services.advice import get_help_box
from moderation.services.feed import find_page, page_feed, posted_advice, published_threads
from moderation.services.intake import new_form_token

bp = Blueprint("feed", __name__)

THANK_YOU = (
    "Thank you for your comment. One of our midwives will read it and reply to you here; "
    "your comment appears on this page together with their answer."
)
# The comments this visitor posted, so their advice stays on the page for the whole visit.
POSTED_SESSION_KEY = "posted_comment_ids"


def render_page(page: Page, form: PublicCommentForm, status: int = 200):
    """The article with its answered threads, this visitor's advice and the comment form."""
    posted = posted_advice(page, session.get(POSTED_SESSION_KEY, []))
    return render_template(
        "feed/page.html", page=page, threads=published_threads(page), form=form,
        get_help=get_help_box(), posted=posted, thank_you=THANK_YOU,
    ), status


@bp.get("/pages/<slug>")
def show_page(slug: str):
    """Show the article with its answered comments and an empty comment form."""
    page = find_page(slug)
    if page is None:
        abort(404)
    form = PublicCommentForm()
    form.form_token.data = new_form_token()
    form.in_reply_to.data = request.args.get("reply_to", type=int)
    return render_page(page, form)


@bp.get("/api/v1/pages/<slug>/comments")
def page_comments(slug: str):
    """The published comments of a page with their published replies, oldest first."""
    feed = page_feed(slug)
    if feed is None:
        return problem_response(404, "Page not found", f"No page with the slug {slug!r}.")
    response = jsonify(feed.payload)
    response.set_etag(feed.etag)
    response.last_modified = feed.last_modified
    # Caches may keep it but must ask again each time: a comment can be withdrawn.
    response.headers["Cache-Control"] = "public, no-cache"
    return response.make_conditional(request)
