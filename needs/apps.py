from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = "Needs and offers"

    def ready(self) -> None:
        # needs sits above messaging, so it registers the SMS commands it owns (see the contract).
        from messaging.registry import register_handler
        from needs import sms

        register_handler("YES", sms.sms_yes)
        register_handler("NO", sms.sms_no)
        register_handler("DONE", sms.sms_done)
