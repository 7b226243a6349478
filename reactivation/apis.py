"""Playbooks and campaigns in the API. Each endpoint validates, calls one service in
reactivation/services/ (which re-checks the rules it owns) and shapes the answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import Conflict
from core.api.filters import query_params_validate
from core.api.views import ApiViewMixin
from reactivation.models import Campaign
from reactivation.permissions import (
    CampaignAccess,
    PlaybookAccess,
    can_start_campaign_in,
    local_authorities_in_area,
)
from reactivation.selectors.campaigns import campaign_progress, campaigns_visible_to
from reactivation.selectors.playbooks import playbooks_listed
from reactivation.selectors.register import coverage_gaps, groups_of_freshness, register_freshness_by_group
from reactivation.serializers import (
    CampaignDetailSerializer,
    CampaignRequestSerializer,
    CampaignSerializer,
    CoverageGapFilterSerializer,
    CoverageGapSerializer,
    DryRunSerializer,
    GroupFreshnessFilterSerializer,
    GroupWithFreshnessSerializer,
    PlaybookDetailSerializer,
    PlaybookEditSerializer,
    PlaybookSerializer,
)
from reactivation.services.campaign_lifecycle import (
    campaign_approve,
    campaign_cancel,
    campaign_create,
    campaign_dry_run,
    campaign_enough,
    campaign_launch,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from reactivation.services.playbooks import PlaybookConflict, playbook_update
from volunteers.apis import GroupViewSet
from volunteers.models import Organisation
from volunteers.permissions import (
    CAMPAIGN_MANAGER,
    IsStaffMember,
    ViewersReadOnly,
    organisation_for,
)

_PLAYBOOK_EDIT = (
    "Makes a new version with the content given (campaign managers only; everyone on staff reads). "
    "The versions campaigns ran never change. Content equal to the current version makes no new "
    "version. `based_on_version` guards against undoing someone else's change (409)."
)


@extend_schema_view(
    list=extend_schema(summary="Playbooks: how past responses were run, kept to start the next from"),
    retrieve=extend_schema(summary="One playbook: its current version, every version number and its lessons"),
    update=extend_schema(
        summary="Replace a playbook's content: a new version",
        description=_PLAYBOOK_EDIT,
        request=PlaybookEditSerializer,
        responses=PlaybookDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Change some parts of a playbook: a new version",
        description=_PLAYBOOK_EDIT + " Parts left out are kept from the current version.",
        request=PlaybookEditSerializer,
        responses=PlaybookDetailSerializer,
    ),
)
class PlaybookViewSet(ApiViewMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [PlaybookAccess]
    lookup_field = "slug"

    def get_queryset(self):
        return playbooks_listed(with_lessons=self.action != "list")

    def get_serializer_class(self):
        return PlaybookSerializer if self.action == "list" else PlaybookDetailSerializer

    def update(self, request, *args, **kwargs):
        playbook = self.get_object()
        incoming = PlaybookEditSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        based_on = changes.pop("based_on_version", None)
        try:
            playbook_update(playbook=playbook, user=request.user, based_on=based_on, **changes)
        except PlaybookConflict as exc:
            raise Conflict(" ".join(exc.messages)) from None
        return Response(PlaybookDetailSerializer(self.get_queryset().get(pk=playbook.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="Campaigns run by your organisations, newest first"),
    retrieve=extend_schema(summary="One campaign with its live progress", responses=CampaignDetailSerializer),
    create=extend_schema(
        summary="Dry-run, or create and start, a reactivation campaign",
        description=(
            "`dry_run: true` (the default) reports who would be contacted, who is left out and why, the "
            "message preview, segments and cost, and writes nothing. `dry_run: false` creates the "
            "campaign and starts it (or leaves it awaiting a second person's approval above the size or "
            "cost thresholds) only with `dry_run_plan`, the `plan_id` of the dry run of the same plan: a "
            "start without it, or after the plan changed, is refused with 400. `start: false` leaves a "
            "draft holding its dry run, started with `POST /campaigns/{id}/start/`. A campaign manager runs campaigns only within the local authorities their "
            "organisation covers; a circle reaches only the people in those."
        ),
        request=CampaignRequestSerializer,
        responses={200: DryRunSerializer, 201: CampaignDetailSerializer},
    ),
)
class CampaignViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsStaffMember, ViewersReadOnly, CampaignAccess]
    serializer_class = CampaignSerializer

    def get_queryset(self):
        return campaigns_visible_to(user=self.request.user)

    def _detail(self, campaign: Campaign, *, code: int = status.HTTP_200_OK) -> Response:
        progress = campaign_progress(campaign=campaign)
        return Response(CampaignDetailSerializer(campaign, context={"progress": progress}).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def _organisation_allowed(self, *, data: dict[str, Any], area: dict[str, Any]) -> Organisation:
        """The organisation the campaign runs for, once its manager may run one over ``area``."""
        user = self.request.user
        organisation = organisation_for(
            user=user, roles={CAMPAIGN_MANAGER}, slug=data.get("organisation"), doing="run a campaign"
        )
        # A list of local authorities must lie within what the organisation covers; a circle is
        # clipped to it by the planner (people outside are left out, "outside_area").
        named = local_authorities_in_area(area=area) if "local_authorities" in area else set()
        if not can_start_campaign_in(user=user, organisation=organisation, local_authorities=named):
            raise exceptions.PermissionDenied(
                "A campaign manager of an organisation runs campaigns only within the local authorities it covers."
            )
        return organisation

    def create(self, request, *args, **kwargs):
        incoming = CampaignRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        area = dict(data["area"])
        common = {
            "user": request.user,
            "playbook": data["playbook"],
            "area": area,
            "organisation": self._organisation_allowed(data=data, area=area),
            "language": data["language"],
            "target_ready": data["target_ready"],
        }
        if data["dry_run"]:
            report = campaign_dry_run(**common)
            return Response(DryRunSerializer({"dry_run": True, "report": report}).data)
        options = {**common, "name": data["name"], "spend_cap_pence": data["spend_cap_pence"]}
        if data["start"]:
            # Only after a dry run of this very plan: without one, 400 and nothing written.
            campaign = campaign_launch(**options, dry_run_plan=data["dry_run_plan"])
        else:
            campaign = campaign_create(**options)
        return self._detail(campaign, code=status.HTTP_201_CREATED)

    def _transition(self, service, **kwargs) -> Response:
        campaign = self.get_object()
        return self._detail(service(campaign=campaign, user=self.request.user, **kwargs))

    @extend_schema(
        summary="Start a draft (or ask for approval)", request=None, responses=CampaignDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(campaign_start)

    @extend_schema(
        summary="Approve a campaign awaiting approval (a second person), which then starts",
        request=None,
        responses=CampaignDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(campaign_approve)

    @extend_schema(
        summary="Pause: no new wave or message until resumed",
        request=None,
        responses=CampaignDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._transition(campaign_pause)

    @extend_schema(summary="Resume a paused campaign", request=None, responses=CampaignDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._transition(campaign_resume)

    @extend_schema(
        summary="Cancel for good; texts still queued are withdrawn",
        request=None,
        responses=CampaignDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(campaign_cancel)

    @extend_schema(
        summary="We have enough: end it and stand down those who said READY and were not deployed",
        description=(
            "Waves not yet sent are cancelled and texts still held are withdrawn; each person who said "
            "READY and was not deployed gets the playbook's thanks / stand-down text once; nobody else "
            "gets anything more."
        ),
        request=None,
        responses=CampaignDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def enough(self, request, pk=None):
        return self._transition(campaign_enough)


# --- the register's freshness and coverage gaps ---------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Mutual-aid groups, active and dormant, with how fresh each contact is",
        description=(
            "Each group carries `freshness`: `fresh` (its contact confirmed within the readiness-check "
            "interval), `due` (confirmed longer ago), `stale` (the organiser missed two checks in a row) "
            "or `never`. `?freshness=stale` lists the groups whose contact needs a person's attention."
        ),
        parameters=[GroupFreshnessFilterSerializer],
    ),
    retrieve=extend_schema(summary="One group, with how fresh its contact is"),
)
class GroupWithFreshnessViewSet(GroupViewSet):
    """Every staff member sees the whole region's groups, each with how fresh its contact is."""

    # volunteers.apis.GroupViewSet plus freshness. It lives here because freshness is the readiness
    # checks' business, and volunteers may not import reactivation.

    serializer_class = GroupWithFreshnessSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            wanted = query_params_validate(GroupFreshnessFilterSerializer, self.request).get("freshness")
            if wanted:
                queryset = groups_of_freshness(groups=queryset, freshness=wanted)
        return queryset

    def get_serializer(self, *args, **kwargs):
        if args:
            rows = args[0] if kwargs.get("many") else [args[0]]
            freshness = register_freshness_by_group(groups=rows)
            kwargs.setdefault("context", self.get_serializer_context())["freshness"] = freshness
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="Coverage gaps: places where need outstrips capacity, worst first",
        description=(
            "For each place (a spatial cell of about 1.6 km) where open needs outnumber the active "
            "volunteers within reach: the shortfall (largest first), how many places the needs are at, "
            "the nearest postcode district and the local authority, and the dormant groups whose area "
            "covers it (the suggested first wave of a campaign). Counts and group names only: no "
            "personal data."
        ),
        parameters=[CoverageGapFilterSerializer],
        responses=CoverageGapSerializer(many=True),
    )
)
class CoverageGapViewSet(ApiViewMixin, viewsets.ViewSet):
    permission_classes = [IsStaffMember]

    def list(self, request):
        params = query_params_validate(CoverageGapFilterSerializer, request)
        gaps = coverage_gaps(limit=params["limit"])
        return Response(CoverageGapSerializer(gaps, many=True).data)
