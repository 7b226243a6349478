from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The top layer: what spans every app (data rights, exports, the demo, health, the drill,
    staff alerts)."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Data rights span every app; the register's admin and importer reach them through hooks.
        from operations.data_rights import rights_connect

        rights_connect()

        # Staff hear of what the audit log records that they must act on (operations/alerts.py).
        from operations.alerts import alert_on_audit
        from volunteers.services import audit_listener_register

        audit_listener_register(alert_on_audit)
