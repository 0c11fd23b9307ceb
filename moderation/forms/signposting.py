"""Forms of the signposting register."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EntryForm(FlaskForm):
    """An entry's fields; the service validates them."""

    key = StringField("Key (never changes; lower-case letters, digits or _)")
    name = StringField("Name")
    phone = StringField("Phone number, as people dial it")
    text_number = StringField("Text number")
    hours = StringField("Hours")
    nations = CheckboxesField("Nations served", choices=[], validate_choice=False)
    web_address = StringField("Web address (https://…)")
    categories = CheckboxesField("Used for", choices=[], validate_choice=False)
    how_to_use = TextAreaField("When to use it (one line)")
    checked_by = StringField("Checked by (your name)")
    source = TextAreaField("Checked against (the service's own page)")


class CheckedForm(FlaskForm):
    """Record that an entry was checked against its source, unchanged."""

    checked_by = StringField("Checked by (your name)")
    source = StringField("Checked against")
