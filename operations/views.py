"""Health endpoints for monitors and load balancers."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from operations.health import FAIL, health_run


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring: one entry per check; 503 when any fails (see operations/health.py)."""
    checks = health_run()
    failing = any(c.status == FAIL for c in checks)
    return JsonResponse(
        {
            "status": "failing" if failing else "ok",
            "checks": {c.name: {"status": c.status.lower(), "detail": c.reason} for c in checks},
        },
        status=503 if failing else 200,
    )


@never_cache
def healthz_live(request: HttpRequest) -> JsonResponse:
    """For a load balancer: this process serves and reaches its database (one `SELECT 1`). A
    stopped worker must not take the web pages out of rotation; /healthz/ reports it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
