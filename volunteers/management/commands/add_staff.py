import sys

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from volunteers.models import StaffRole
from volunteers.services import staff_upsert


class Command(BaseCommand):
    help = (
        "Create or update a staff login and its role in an organisation (created if missing). "
        "The password is read from standard input; with none given, a one-time link to set it is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The login's username (created when new, updated otherwise).")
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument(
            "--role",
            required=True,
            choices=StaffRole.Role.values,
            help="What they may do: " + ", ".join(StaffRole.Role.values) + ".",
        )
        parser.add_argument(
            "--covers",
            default="",
            help='Local authorities the organisation covers, e.g. "Birmingham;Sandwell".',
        )
        parser.add_argument("--name", default=None, help="The organisation's name, when it is created.")

    def handle(self, *args, **options):
        password = None
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n") or None
        try:
            result = staff_upsert(
                username=options["username"],
                organisation_slug=options["organisation"],
                role=options["role"],
                covers=options["covers"].split(";"),
                password=password,
                organisation_name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = result.user
        verb = "Created" if result.user_created else "Updated"
        self.stdout.write(f"{verb} {user.get_username()}: {options['role']} of {options['organisation']}.")
        if result.organisation_created:
            self.stdout.write(f"Created the organisation {options['organisation']}.")
        if password is None and not user.has_usable_password():
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
            self.stdout.write(f"Set the password once at: {settings.PUBLIC_BASE_URL}{path}")
