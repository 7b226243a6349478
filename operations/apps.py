from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The top layer: what spans every app (health, the readiness drill)."""

    name = "operations"
    verbose_name = "Operations"
