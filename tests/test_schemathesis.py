"""The API holds to its OpenAPI description: Schemathesis generates requests for every operation
of the served document and checks every answer (no 5xx, status codes, headers, content types
and bodies as described, invalid input rejected, valid input accepted).

The description is read from the app itself, as a client would read it; the requests go to the
app on the index of data/ (fixture ``app``). Schemathesis leaves out the path the description
is served at; tests/test_api_openapi.py covers /api/openapi.json.
"""

from __future__ import annotations

import datetime as dt

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from webui import create_app
from webui.core.request import MAX_RESULTS_DEPTH

# Serving the description needs no index: this app only serves it, at collection time.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    create_app({"INDEX_DIR": "/nonexistent/index", "TESTING": True, "WARM_UP": False}),
)

# Small enough for the whole suite to stay within minutes, large enough to reach every
# parameter of every operation, in both valid and invalid forms. The same examples every run
# (derandomize): CI fails on the code, never on the luck of the draw.
EXAMPLES = 40


def breaks_a_documented_rule(case) -> bool:
    """Rules between parameters that OpenAPI cannot state, and the description does in words."""
    query = case.query or {}
    if case.path != "/api/search":
        return False
    try:
        if "from" in query and "to" in query and (
                dt.date.fromisoformat(query["from"]) > dt.date.fromisoformat(query["to"])):
            return True
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
        return page * per_page > MAX_RESULTS_DEPTH
    except (TypeError, ValueError):
        return False  # not valid on its own: the checks for invalid input apply


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_contract(case, app):
    if breaks_a_documented_rule(case) and case.meta.generation.mode.is_positive:
        response = case.call(app=app)
        assert response.status_code == 400, response.text
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate(app=app)
