"""Writes for reactivation: playbooks, campaigns, readiness checks and SMS replies.

Import from here: ``from reactivation.services import campaign_start``.
"""

from reactivation.services.campaigns import (
    campaign_advance,
    campaign_approve,
    campaign_cancel,
    campaign_create,
    campaign_dry_run,
    campaign_pause,
    campaign_resume,
    campaign_start,
    campaigns_advance_all,
    recipient_send,
)
from reactivation.services.planning import LEFT_OUT, area_resolve
from reactivation.services.playbooks import (
    PlaybookInvalid,
    playbook_create,
    playbook_export,
    playbook_import,
    playbook_update,
    review_append,
)
from reactivation.services.readiness import readiness_answer, readiness_check_send, readiness_cycle
from reactivation.services.replies import not_now_handle, ready_handle, reply_record

__all__ = [
    "LEFT_OUT",
    "PlaybookInvalid",
    "area_resolve",
    "campaign_advance",
    "campaign_approve",
    "campaign_cancel",
    "campaign_create",
    "campaign_dry_run",
    "campaign_pause",
    "campaign_resume",
    "campaign_start",
    "campaigns_advance_all",
    "not_now_handle",
    "playbook_create",
    "playbook_export",
    "playbook_import",
    "playbook_update",
    "readiness_answer",
    "readiness_check_send",
    "readiness_cycle",
    "ready_handle",
    "recipient_send",
    "reply_record",
    "review_append",
]
