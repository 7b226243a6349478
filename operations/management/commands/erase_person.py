from django.core.management.base import BaseCommand, CommandError

from operations.data_rights import RightsError, person_erase


class Command(BaseCommand):
    help = (
        "Erase what is held about a phone number (a right-to-erasure request): personal data removed "
        "or anonymised, counts kept, the number kept on the opt-out list so it is never texted again. "
        "Written to the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "phone", help="Their phone number, as they gave it (07700 900123 or +447700900123)."
        )
        parser.add_argument(
            "--requester",
            action="store_true",
            help="Only their details as someone who asked for help; a volunteer record is left alone.",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, phone: str, requester: bool, yes: bool, **options):
        if not yes and options.get("interactive", True):
            answer = input(f"Erase what is held about {phone}? This cannot be undone. Type 'erase': ")
            if answer.strip().lower() != "erase":
                raise CommandError("Nothing erased.")
        try:
            result = person_erase(phone=phone, requester_only=requester)
        except RightsError as exc:
            raise CommandError(str(exc)) from None
        parts = ", ".join(f"{k}: {v}" for k, v in result.items() if k not in ("phone", "open_needs"))
        self.stdout.write(f"Erased {result['phone']} ({parts}).")
        open_needs = result.get("open_needs")
        if isinstance(open_needs, list) and open_needs:
            self.stderr.write(
                "These needs are still open and no longer hold an address; close them: "
                + ", ".join(str(ref) for ref in open_needs)
            )
