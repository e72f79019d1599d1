"""The API holds to its OpenAPI description: Schemathesis generates requests for every operation
of the served document and checks every answer (no 5xx, status codes, headers, content types
and bodies as described, invalid input rejected, valid input accepted).

The description is read from the app itself, as a client would read it; the requests go to the
app on the index of data/ (fixture ``app``). Schemathesis leaves out the path the description
is served at; tests/test_api_openapi.py covers /api/openapi.json.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from webui import create_app

# Serving the description needs no index: this app only serves it, at collection time.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json",
    create_app({"INDEX_DIR": "/nonexistent/index", "TESTING": True, "WARM_UP": False}),
)

load_all_checks()
ALL_CHECKS = CHECKS.get_all()  # as `schemathesis run --checks all`

# Small enough for the whole suite to stay within minutes, large enough to reach every
# parameter of every operation, in both valid and invalid forms. The same examples every run
# (derandomize): CI fails on the code, never on the luck of the draw.
EXAMPLES = 40


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_contract(case, app):
    # every check Schemathesis has, with no exception: no rule ties one parameter to another,
    # so every request the description allows must be answered
    case.call_and_validate(app=app, checks=ALL_CHECKS)
