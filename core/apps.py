from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The bottom layer: pieces every app uses and that import no app above them."""

    name = "core"
    verbose_name = "Shared pieces"

    def ready(self) -> None:
        from core.schedules import schedules_after_migrate

        # After every `migrate` (and a test database's flush) the periodic jobs the code declares
        # exist, so a deployment never depends on someone remembering a command.
        post_migrate.connect(schedules_after_migrate, sender=self, dispatch_uid="core-schedules")
