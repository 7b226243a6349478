from django.apps import AppConfig


class ReactivationConfig(AppConfig):
    name = "reactivation"
    verbose_name = "Reactivation: playbooks and campaigns"
