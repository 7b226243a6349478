"""The dry run's rules: which playbook version a plan runs, whether a second person must approve
it, and the name of a plan (``plan_id``) that a start must show it was dry-run with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from reactivation.models import Playbook, PlaybookVersion
from reactivation.services.areas import Area
from reactivation.services.planning import Plan, plan_report
from volunteers.models import Organisation


def version_for(playbook: Playbook | PlaybookVersion | str) -> PlaybookVersion:
    if isinstance(playbook, PlaybookVersion):
        return playbook
    found = Playbook.objects.filter(slug=playbook).first() if isinstance(playbook, str) else playbook
    if found is None:
        raise ValidationError("There is no playbook with that name.")
    version = found.current_version
    if version is None:
        raise ValidationError(f"{found.title} has no version to run yet.")
    return version


def approval_reasons(report: dict[str, Any]) -> list[str]:
    reasons = []
    size_limit = settings.REACTIVATION_APPROVAL_RECIPIENTS
    cost_limit = settings.REACTIVATION_APPROVAL_COST_PENCE
    if report["contact_total"] > size_limit:
        reasons.append(f"it would text {report['contact_total']} people (more than {size_limit})")
    if report["estimated_cost_pence"] > cost_limit:
        reasons.append(
            f"it could cost £{report['estimated_cost_pence'] / 100:.2f} (more than £{cost_limit / 100:.2f})"
        )
    return reasons


def report_with_approval(plan: Plan) -> dict[str, Any]:
    """The plan as the dry run shows it, with whether (and why) a second person must approve."""
    report = plan_report(plan)
    report["approval_reasons"] = approval_reasons(report)
    report["requires_approval"] = bool(report["approval_reasons"])
    return report


NO_DRY_RUN = (
    "A campaign starts only after a dry run of its plan. Send the same request with dry_run true, "
    "check the report, then start with dry_run false and the report's plan_id as dry_run_plan."
)
STALE_DRY_RUN = (
    "The plan has changed since that dry run (a new version of the playbook, or another area, "
    "language or target): run the dry run again and start with its plan_id."
)


def plan_fingerprint(
    *,
    version: PlaybookVersion,
    organisation: Organisation,
    area: Area,
    language: str,
    target_ready: int | None,
) -> str:
    """What names a plan: the playbook version, who runs it, where, in which language, for how
    many. A dry run reports it (``plan_id``); a start must show the dry run it follows."""
    plan = {
        "version": version.pk,
        "organisation": organisation.pk,
        "area": area.as_json(),
        "language": language,
        "target_ready": target_ready,
    }
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:20]
