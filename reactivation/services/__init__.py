"""Writes for reactivation: playbooks, campaigns, readiness checks and SMS replies.

A campaign's life cycle is in ``campaign_lifecycle``, the sending of its waves in
``campaign_sending``: import those from their modules.
"""

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
    "not_now_handle",
    "playbook_create",
    "playbook_export",
    "playbook_import",
    "playbook_update",
    "readiness_answer",
    "readiness_check_send",
    "readiness_cycle",
    "ready_handle",
    "reply_record",
    "review_append",
]
