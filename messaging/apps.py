from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "SMS"

    def ready(self) -> None:
        # LINK is the register's word, answered here (the register sits below the registry).
        from messaging.contact_commands import language_handle, link_handle
        from messaging.grammar import LANGUAGE, LINK
        from messaging.registry import register_handler

        register_handler(LINK, link_handle)
        register_handler(LANGUAGE, language_handle)

        # The register below sends its sign-up codes through our outbox, without importing it.
        from messaging.services import message_queue
        from volunteers.texting import text_sender_register

        def register_text(*, to: str, body: str, dedupe_key: str, purpose: str) -> bool:
            # A sign-up code: the person is on the page waiting for it, so it goes at once even in
            # quiet hours (the page says "we have texted you").
            queued = message_queue(to=to, body=body, dedupe_key=dedupe_key, purpose=purpose, urgent=True)
            return queued is not None

        text_sender_register(register_text)
