"""API fuzzing: schemathesis generates requests from the OpenAPI schema and checks that no answer is
a server error or falls outside the schema (status codes, content types, bodies, headers).

Runs in-process through Django's WSGI application, authenticated as a coordinator of Brum Aid, with
a bounded number of examples per operation so the whole module stays under about a minute.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import UserRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    MutualAidGroupFactory,
    NeedFactory,
    OfferFactory,
    PlaybookVersionFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


@pytest.fixture
def token(coordinator, brum_aid, volunteer):
    # Something real to find behind the ids and slugs schemathesis tries.
    group = MutualAidGroupFactory(organisation=brum_aid)
    MembershipFactory(group=group, volunteer=volunteer)
    need = NeedFactory(organisation=brum_aid)
    OfferFactory(need=need, volunteer=volunteer)
    CampaignFactory(organisation=brum_aid, playbook_version=PlaybookVersionFactory(playbook__slug="pandemic"))
    return Token.objects.create(user=coordinator).key


def _schema_document() -> dict:
    """The schema exactly as /api/v1/schema/ serves it (generated here, at collection, because
    schemathesis's lazy fixture loader does not work with this pytest version)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_schema_document())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, whose close_old_connections
    closes a connection that is inside the test's transaction (PostgreSQL then answers "the
    connection is closed"). Django's test client unhooks it for the same reason; so do we."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_user_throttle(monkeypatch):
    # Hundreds of requests a minute from one login is what this test does; no throttle for it.
    monkeypatch.setattr(UserRateThrottle, "rate", "100000/minute", raising=False)
    cache.clear()


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_within_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
