"""The intake API fuzzed from its own OpenAPI document with schemathesis, on both databases.

Bounded: a few generated examples per operation, no shrinking, no example database, so the
run takes seconds. Checks: no 5xx, documented status codes, content types, headers and
response schemas, and that a 405 names the allowed methods (`Allow`). The positive-data
check is left out on purpose: the server is stricter than JSON Schema can say (posted_at at
most 5 minutes in the future, no NUL characters or invisible-only text), and refuses those
with a documented 422; docs/security.md says so.
"""

from __future__ import annotations

import pytest

from models import db
from moderation.services.sites import create_site

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
hypothesis = pytest.importorskip("hypothesis")

MAX_EXAMPLES = 8


def test_the_api_holds_to_its_openapi_document(app, make_page):
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import checks

    make_page("after-a-miscarriage", "After a miscarriage")
    _, key = create_site("fuzzer")
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    chosen = [checks.not_a_server_error, checks.status_code_conformance,
              checks.content_type_conformance, checks.response_headers_conformance,
              checks.response_schema_conformance, checks.unsupported_method]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3
    for operation in operations:

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            response = case.call(app=app, headers={"Authorization": f"Bearer {key}"})
            case.validate_response(response, checks=chosen)

        fuzz()


def test_a_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/comments")
    assert response.status_code == 405
    assert response.headers["Allow"] == "OPTIONS, POST"
