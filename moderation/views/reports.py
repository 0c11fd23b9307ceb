"""The supervisor area: reports on response times, backlog, workload, topics and the model."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from models import db
from moderation.forms.exports import ThreadExportForm
from moderation.forms.reports import ReportPeriodForm
from moderation.services.charts import CHART_CSP, CHARTS, render_chart
from moderation.services.documents import csv_document
from moderation.services.reports import (
    SECTIONS,
    ReportInputError,
    ReportPeriod,
    build_report,
    build_table,
    resolve_period,
    table_for_download,
)
from moderation.views.access import supervisor_required

bp = Blueprint("reports", __name__, url_prefix="/supervisor")


def optional_url(endpoint: str) -> str | None:
    """The URL of another feature's page, or None while that feature is not there."""
    try:
        return url_for(endpoint)
    except BuildError:
        return None


def supervisor_links() -> list[tuple[str, str]]:
    """The other supervisor tools, for the hub at the top of the reports page."""
    links = [("Export answered threads", "exports.index"), ("Snippet library", "snippets.index"),
             ("Service settings", "settings.index")]
    return [(label, url) for label, endpoint in links if (url := optional_url(endpoint))]


def _period_from_request() -> tuple[ReportPeriodForm, ReportPeriod | None, str | None]:
    """Read the period from the query string: the form, the period, or what is wrong."""
    form = ReportPeriodForm(request.args)
    if request.args and not form.validate():
        messages = [f"{form[name].label.text}: {errors[0]}" for name, errors in
                    form.errors.items()]
        return form, None, " ".join(messages)
    try:
        period = resolve_period(request.args.get("period"), form.date_from.data,
                                form.date_to.data)
    except ReportInputError as error:
        return form, None, str(error)
    form.period.data = str(period.preset) if period.preset else "custom"
    return form, period, None


@bp.route("/")
@supervisor_required
def index():
    """The reports page for the chosen period."""
    form, period, error = _period_from_request()
    if period is None:
        return render_template("reports/index.html", form=form, error=error, report=None,
                               links=supervisor_links()), 400
    report = build_report(period)
    export_form = ThreadExportForm(formdata=None).prefill(period.first_day, period.last_day)
    return render_template("reports/index.html", form=form, error=None, report=report,
                           export_form=export_form, links=supervisor_links(),
                           period_args=period.query_args())


@bp.route("/reports/<name>.csv")
@supervisor_required
def table_csv(name: str):
    """One report table as a CSV file (audited like every export)."""
    if name not in SECTIONS:
        abort(404)
    _, period, error = _period_from_request()
    if period is None:
        abort(400, description=error)
    table = table_for_download(name, period, current_user)
    db.session.commit()
    body = "".join(csv_document(table.csv_header(), table.csv_rows()))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{name}-{period.slug}.csv"'})


@bp.route("/charts/<name>.svg")
@supervisor_required
def chart(name: str):
    """One chart as its own SVG image, with a policy that allows its styles and no scripts."""
    if name not in CHARTS:
        abort(404)
    _, period, error = _period_from_request()
    if period is None:
        abort(400, description=error)
    response = Response(render_chart(name, build_table(name, period)),
                        mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response
