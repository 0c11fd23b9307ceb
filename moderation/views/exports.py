"""Exports of answered threads: a form, and a streamed, audited download."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_login import current_user

from models import db
from moderation.forms.exports import ThreadExportForm
from moderation.services.exports import ExportInputError, parse_export_options, start_thread_export
from moderation.views.access import supervisor_required

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.route("/")
@supervisor_required
def index():
    """The export form, pre-filled from the query string (e.g. the report's period)."""
    form = ThreadExportForm(request.args, meta={"csrf": False})
    form.validate()  # shows a bad pre-filled date as an error rather than dropping it
    return render_template("exports/index.html", export_form=form, errors=[])


@bp.route("/threads", methods=["POST"])
@supervisor_required
def threads():
    """Stream the answered threads in the chosen format; audited before the first byte."""
    form = ThreadExportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            options = parse_export_options(form.format.data, form.date_from.data,
                                           form.date_to.data, form.topic.data,
                                           form.pseudonymise.data)
        except ExportInputError as error:
            errors.append(str(error))
    else:
        errors = [f"{form[name].label.text}: {messages[0]}" if name in form else messages[0]
                  for name, messages in form.errors.items()]
    if errors:
        return render_template("exports/index.html", export_form=form, errors=errors), 400
    export = start_thread_export(options, current_user,
                                 secret_key=current_app.config["SECRET_KEY"])
    db.session.commit()
    response = Response(stream_with_context(export.chunks()), mimetype=export.mimetype,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{options.filename}"',
                                 "X-Export-Rows": str(export.rows)})
    # Ends the snapshot even if the download is abandoned before its first chunk.
    response.call_on_close(export.close)
    return response
