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
        # What is open for a number, so "count me in" is read as the answer to our call.
        from messaging.registry import context_provider_register
        from reactivation.selectors.replies import questions_open_for

        context_provider_register(questions_open_for)

        # Campaign calls to volunteers who are called: reactivation's call script, run by voice.
        from reactivation import calls
        from voice.registry import script_register

        script_register(
            calls.SCRIPT,
            opening=calls.campaign_call_opening,
            keys=calls.campaign_call_keys,
            wanted=calls.campaign_call_wanted,
        )
