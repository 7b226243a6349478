"""``{% menu_links as may %}``: which links of the main menu this person may follow, so the menu
never offers a page that would answer 403. Each rule is the one the page itself checks."""

from __future__ import annotations

from django import template

from messaging.inbox_views import may_use_inbox
from needs.permissions import organisations_user_can_post_for
from operations.audit_log import audit_organisation_ids
from volunteers.permissions import is_staff_member
from volunteers.register import register_reads

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_links(context) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "post_need": bool(organisations_user_can_post_for(user=user)),
        "inbox": may_use_inbox(user),
        # Viewers may watch their organisation's campaigns; a login with no organisation sees none.
        "campaigns": is_staff_member(user=user),
        "coverage": is_staff_member(user=user),
        "audit": audit_organisation_ids(user=user) != set(),
        "register": register_reads(user=user),
        "languages": is_staff_member(user=user),
    }
