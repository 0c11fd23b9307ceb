"""Reply reviews: four eyes on high-risk replies, peer review of a weekly sample, the report."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import REVIEW_CHECKS, db, utcnow
from moderation.forms import choices
from moderation.forms.reviews import FourEyesForm, ReviewForm, SampleForm
from moderation.services.four_eyes import (
    CATEGORIES,
    CATEGORY_WORDS,
    MODE_WORDS,
    current_modes,
    may_review,
    update_review_settings,
)
from moderation.services.replies import ReplyError
from moderation.services.review_sampling import (
    SamplingError,
    draw_sample,
    review_report,
)
from moderation.services.reviews import (
    CHECK_WORDS,
    ReviewError,
    ReviewInput,
    open_reviews,
    recent_reviews,
    record_review,
    review_page,
)
from moderation.services.settings import current_settings
from moderation.views.access import staff_required, supervisor_required

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
ANSWERS = {"yes": True, "no": False}
REPORT_WEEKS = (4, 13, 52)


def _settings_form() -> FourEyesForm:
    form = FourEyesForm()
    for category in CATEGORIES:
        getattr(form, category).choices = choices(list(MODE_WORDS.items()))
    if not form.is_submitted():
        for category, mode in current_modes().items():
            getattr(form, category).data = mode
        form.peer_review_percent.data = str(current_settings()["peer_review_percent"])
    return form


def _queue_page(settings_form: FourEyesForm | None = None, status: int = 200):
    return render_template(
        "reviews/index.html", reviews=open_reviews(current_user), done=recent_reviews(20),
        now=utcnow(), settings_form=settings_form or _settings_form(), sample_form=SampleForm(),
        category_words=CATEGORY_WORDS), status


@bp.route("/")
@staff_required
def index():
    """Replies waiting for a second clinician, and the latest reviews given."""
    return _queue_page()


@bp.route("/<int:review_id>", methods=["GET", "POST"])
@staff_required
def show(review_id: int):
    """The comment, the reply and its snippet diff, with the reviewer's form."""
    try:
        page = review_page(review_id)
    except ReviewError:
        abort(404)
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        data = ReviewInput(verdict=form.verdict.data or "", note=form.note.data or "",
                           checks={name: ANSWERS.get(getattr(form, name).data or "")
                                   for name in REVIEW_CHECKS})
        try:
            record_review(review_id, current_user, data)
        except (ReviewError, ReplyError) as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
            status = exc.status
            page = review_page(review_id)
        else:
            db.session.commit()
            flash("Review recorded." + (" The author and a supervisor are told of your "
                                        "concern." if data.verdict == "concern" else ""),
                  "success")
            return redirect(url_for("reviews.index"))
    elif form.is_submitted():
        form.form_errors.append("The form expired: reload the page and try again.")
        status = 400
    return render_template("reviews/show.html", page=page, form=form,
                           may_review=may_review(current_user, page.reply),
                           check_names=REVIEW_CHECKS, check_words=CHECK_WORDS), status


@bp.route("/settings", methods=["POST"])
@supervisor_required
def settings():
    """Set the rule for each high-risk category and the weekly sampling percentage."""
    form = _settings_form()
    if not form.validate_on_submit():
        abort(400)
    try:
        update_review_settings({c: getattr(form, c).data for c in CATEGORIES},
                               form.peer_review_percent.data, current_user)
    except ValueError as exc:
        db.session.rollback()
        form.peer_review_percent.errors = [str(exc)]
        return _queue_page(form, 422)
    db.session.commit()
    flash("Review settings saved.", "success")
    return redirect(url_for("reviews.index"))


@bp.route("/sample", methods=["POST"])
@supervisor_required
def sample():
    """Draw a week's peer-review sample now (the worker's weekly job does the same)."""
    form = SampleForm()
    if not form.validate_on_submit():
        flash("The seed must be a whole number.", "error")
        return redirect(url_for("reviews.index"))
    try:
        drawn = draw_sample(form.week.data or None, seed=form.seed.data, actor=current_user)
    except SamplingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reviews.index"))
    db.session.commit()
    flash(f"Week {drawn.week}: {len(drawn.reviews)} of {drawn.candidates} replies sampled "
          f"({drawn.percent:g} %, seed {drawn.seed}).", "success")
    return redirect(url_for("reviews.index"))


@bp.route("/report")
@supervisor_required
def report():
    """Review coverage and findings per topic and per snippet."""
    weeks = request.args.get("weeks", 13, type=int)
    if weeks not in REPORT_WEEKS:
        weeks = 13
    end = utcnow()
    tables = review_report(end - timedelta(weeks=weeks), end)
    return render_template("reviews/report.html", tables=tables, weeks=weeks,
                           choices=REPORT_WEEKS, check_names=REVIEW_CHECKS,
                           check_words=CHECK_WORDS)
