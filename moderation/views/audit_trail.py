"""The audit trail page and its CSV export: supervisors only."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context

from moderation.forms.audit_trail import AuditFilterForm
from moderation.services.audit_trail import (
    CSV_HEADER,
    AuditFilters,
    audit_csv_rows,
    audit_kinds,
    audit_page,
    audit_people,
    split_details,
)
from moderation.services.documents import csv_document
from moderation.views.access import supervisor_required

bp = Blueprint("audit_trail", __name__)


def _form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.set_choices(audit_people(), audit_kinds())
    return form


@bp.route("/audit/")
@supervisor_required
def index():
    """Every audit event, newest first, with the filters and before/after of each."""
    form = _form()
    if request.args and not form.validate():
        return render_template("audit_trail/index.html", form=form, events=None,
                               next_before=None, split_details=split_details), 422
    events, next_before = audit_page(AuditFilters(**form.filter_values()),
                                     before_id=form.before.data)
    return render_template("audit_trail/index.html", form=form, events=events,
                           next_before=next_before, split_details=split_details)


@bp.route("/audit/events.csv")
@supervisor_required
def export_csv():
    """Every matching event as CSV for Excel."""
    form = _form()
    if request.args and not form.validate():
        return render_template("audit_trail/index.html", form=form, events=None,
                               next_before=None, split_details=split_details), 422
    chunks = csv_document(CSV_HEADER, audit_csv_rows(AuditFilters(**form.filter_values())))
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'})
