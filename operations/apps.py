from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The top layer: what spans every app (data rights, exports, the demo, health, the drill)."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Data rights span every app; the register's admin and importer reach them through hooks.
        from operations.data_rights import rights_connect

        rights_connect()
