"""Schemathesis against the served OpenAPI document: no 5xx, every response as documented.

Runs in-process (WSGI) on the shared loaded database, positive and negative examples,
deterministic and bounded: at most MAX_EXAMPLES examples per operation and mode.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app import create_app
from app.api.openapi import document

MAX_EXAMPLES = 25
CONFIG = {
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    "max-time": 120,  # hard bound for the whole run, in seconds
    # OpenAPI 3.1 cannot say that one parameter requires another: /values documents in words
    # that `format=geojson` requires `indikator` and lists the 400 (problem document) it
    # answers otherwise. Schema-valid data may therefore meet that documented 400 there.
    "operations": [
        {
            "include-path": "/values",
            "checks": {
                "positive_data_acceptance": {
                    # schemathesis' defaults (4.x) and the documented 400
                    "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
                }
            },
        }
    ],
}


# The document is built in Python (app.api.openapi) without I/O, so it can be loaded at collection
# (in the context of an app of the default home region, which names it without a query); the
# requests go in-process to the test app (WSGI) on the shared loaded database.
with create_app({"SECRET_KEY": "schema", "TESTING": True}).app_context():
    DOCUMENT = document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,  # performance is not asserted by timing
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, app):
    # The WSGI transport does not decode gzip/br bodies; compression is tested in test_api.
    response = case.call_and_validate(app=app, headers={"Accept-Encoding": "identity"})
    assert response.status_code < 500
