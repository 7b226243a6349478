from django.apps import AppConfig


class ReactivationConfig(AppConfig):
    name = "reactivation"
    verbose_name = "Reactivation: playbooks and campaigns"

    def ready(self) -> None:
        # Data rights span every app; the register's admin and importer reach them through hooks.
        from reactivation.data_rights import rights_connect

        rights_connect()
