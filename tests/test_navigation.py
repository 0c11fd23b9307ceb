"""The navigation marks exactly one item as the current page."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path, current", [
    ("/", "Queue"), ("/settings", "Settings"), ("/users/", "Staff"),
    ("/audit/", "Audit trail"), ("/snippets/", "Snippets")])
def test_only_one_nav_item_is_current(supervisor_client, path, current):
    html = supervisor_client.get(path).get_data(as_text=True)
    nav = html[html.index('<ul class="nav">'):html.index("</ul>", html.index('<ul class="nav">'))]
    assert nav.count('aria-current="page"') == 1
    marked = nav[nav.index('aria-current="page"'):]
    assert marked[marked.index(">") + 1:].lstrip().startswith(current)


def test_working_time_under_a_minute_reads_under_1_min(app):
    template = app.jinja_env.from_string(
        '{% from "reports/_tables.html" import cell %}{{ cell(value, column) }}')
    column = type("Column", (), {"kind": "working", "key": "median"})()
    assert template.render(value=42.0, column=column) == "under 1 min"
    assert template.render(value=600.0, column=column) == "10 min"
