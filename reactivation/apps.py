from django.apps import AppConfig


class ReactivationConfig(AppConfig):
    name = "reactivation"
    verbose_name = "Reactivation: playbooks and campaigns"

    def ready(self) -> None:
        # messaging never imports reactivation: we hand it the handlers for the words we own.
        from messaging.registry import register_handler
        from reactivation.services.replies import not_now_handle, ready_handle

        register_handler("READY", ready_handle)
        register_handler("NOT_NOW", not_now_handle)
