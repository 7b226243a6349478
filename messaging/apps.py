from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "SMS"

    def ready(self) -> None:
        # The register below sends its sign-up codes through our outbox, without importing it.
        from messaging.services import message_queue
        from volunteers.texting import text_sender_register

        def register_text(*, to: str, body: str, dedupe_key: str, purpose: str) -> bool:
            return message_queue(to=to, body=body, dedupe_key=dedupe_key, purpose=purpose) is not None

        text_sender_register(register_text)
