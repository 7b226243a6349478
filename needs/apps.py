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
        # What messaging may know of a number: offers open for it, organisations that know it.
        from messaging.registry import context_provider_register, sender_knower_register

        context_provider_register(sms.sms_open_offers)
        sender_knower_register(sms.sms_organisations_knowing)

        # A volunteer helping with one of an organisation's needs is reachable by its coordinators.
        from needs.permissions import volunteers_helping
        from volunteers.permissions import contact_grant_register

        contact_grant_register(volunteers_helping)

        # Offers to volunteers who are called: needs' call script, run by voice.
        from needs import calls
        from voice.registry import script_register

        script_register(
            calls.SCRIPT,
            opening=calls.offer_call_opening,
            keys=calls.offer_call_keys,
            wanted=calls.offer_call_wanted,
        )
