"""python manage.py reactivate PLAYBOOK --local-authority NAME [--dry-run] [--user NAME] [--follow]"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from reactivation.selectors.campaigns import campaign_progress
from reactivation.selectors.playbooks import playbooks_runnable
from reactivation.services.campaign_lifecycle import campaign_create, campaign_dry_run, campaign_start
from reactivation.services.campaign_sending import campaign_advance
from volunteers.models import LocalAuthority, StaffRole
from volunteers.services import local_authorities_resolve


def bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else 0
    return "[" + "#" * filled + "." * (width - filled) + f"] {done}/{total}"


class Command(BaseCommand):
    help = (
        "Start (or dry-run) a reactivation campaign for one or more local authorities, e.g. "
        "reactivate pandemic-food-and-prescriptions --local-authority Sandwell --dry-run"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "playbook", help="the playbook's slug (a wrong one lists the playbooks there are)"
        )
        parser.add_argument(
            "--local-authority",
            action="append",
            required=True,
            dest="local_authorities",
            metavar="NAME",
            help=(
                "a council to wake, by name, slug or ONS code (Sandwell, sandwell, E08000028); "
                "repeat it for several; your organisation must cover each"
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help="show who would be texted; send nothing")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=(
                "the campaign manager starting it (default: the only campaign manager whose "
                "organisation covers every --local-authority)"
            ),
        )
        parser.add_argument("--target", type=int, help="how many READY volunteers are needed")
        parser.add_argument(
            "--follow", action="store_true", help="advance it here and show progress until done"
        )

    def handle(self, *args, **opts):
        self._playbook_check(opts["playbook"])
        try:
            councils = local_authorities_resolve(names=opts["local_authorities"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user = self._user(opts["user"], councils=councils)
        area = {"local_authorities": [la.name for la in councils]}
        try:
            if opts["dry_run"]:
                report = campaign_dry_run(
                    user=user, playbook=opts["playbook"], area=area, target_ready=opts["target"]
                )
                self._print_report(report)
                return
            campaign = campaign_create(
                user=user, playbook=opts["playbook"], area=area, target_ready=opts["target"]
            )
            self._print_report(campaign.dry_run_report)
            campaign = campaign_start(campaign=campaign, user=user)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(f"Campaign {campaign.pk}: {campaign.get_status_display()}")
        while opts["follow"] and campaign.status == "running":
            campaign_advance(campaign_id=campaign.pk)
            campaign.refresh_from_db()
            p = campaign_progress(campaign=campaign)
            self.stdout.write(
                f"\rwave {p['current_wave']} ready {bar(p['ready'], p['target_ready'])} "
                f"texted {p['contacted']} spent {p['spent_pence']}p",
                ending="",
            )
            self.stdout.flush()
            if campaign.status == "running":
                time.sleep(5)
        if opts["follow"]:
            self.stdout.write(f"\n{campaign.stop_reason}")

    def _playbook_check(self, slug: str) -> None:
        runnable = playbooks_runnable()
        if slug not in {p.slug for p in runnable}:
            there = ", ".join(p.slug for p in runnable) or "none yet (import_playbook FILE.json adds one)"
            raise CommandError(f"There is no playbook {slug!r}. The playbooks are: {there}.")

    def _user(self, username: str | None, *, councils: list[LocalAuthority]):
        managers = (
            StaffRole.objects.filter(role=StaffRole.Role.CAMPAIGN_MANAGER)
            .select_related("user", "organisation")
            .prefetch_related("organisation__local_authorities")
        )
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                known = ", ".join(sorted({r.user.get_username() for r in managers})) or "none"
                raise CommandError(f"No user {username!r}. Campaign managers: {known}.")
            return user
        # The rule the help states: the one campaign manager whose organisation covers every council.
        covering = sorted(
            {
                r.user.get_username(): r.user
                for r in managers
                if {la.id for la in councils} <= {la.id for la in r.organisation.local_authorities.all()}
            }.items()
        )
        where = ", ".join(la.name for la in councils)
        if len(covering) == 1:
            return covering[0][1]
        if not covering:
            raise CommandError(
                f"No campaign manager's organisation covers {where}. Add one with add_staff "
                "(--role campaign_manager --covers ...), or name one with --user USERNAME."
            )
        names = ", ".join(name for name, _ in covering)
        raise CommandError(
            f"Several campaign managers cover {where} ({names}): say which starts it with --user USERNAME."
        )

    def _print_report(self, r: dict) -> None:
        w = self.stdout.write
        w(f"Area: {r['area']}")
        w(
            f"Would text {r['contact_total']} people ({r['organisers']} group contacts, {r['reconsent_first']} asked to re-consent first)"
        )
        for row in r["by_local_authority"]:
            w(f"  {row['local_authority']}: {row['count']}")
        w(f"Left out: {r['left_out_total']}")
        for row in r["left_out"]:
            w(f"  {row['count']:>5}  {row['reason']}")
        for name, p in r["previews"].items():
            w(f"{name} ({p['segments']} segment(s), {p['encoding']}): {p['body']}")
        w(f"Segments: {r['segments']}, at most £{r['estimated_cost_pence'] / 100:.2f}")
        w(
            f"Target: {r['target_ready']} ready; first wave {r['first_wave']} (reply rate {r['reply_rate']:.0%})"
        )
        if r.get("requires_approval"):
            w("Needs a second person's approval: " + "; ".join(r["approval_reasons"]))
        if r["quiet_hours"]["now"]:
            w(r["quiet_hours"]["note"])
