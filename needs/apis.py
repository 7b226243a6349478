"""Needs in the API: post, list, read, candidates (ranked, with the why), offer, cancel, done.

Each endpoint validates, calls one service (needs/services/) or selector (needs/selectors.py), and
shapes the answer.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.errors import Conflict
from core.api.filters import query_params_validate, radius_minimum_check
from core.api.views import ApiViewMixin
from needs.models import Need
from needs.permissions import (
    NeedAccess,
    can_manage_need,
    can_search_needs_finely,
    can_see_requester,
    needs_seen_in_full,
    requester_read_record,
)
from needs.selectors import (
    need_candidates,
    needs_filter,
    needs_for_staff,
    offers_for_need,
    offers_made_note,
    organisations_to_hand_to,
)
from needs.serializers import (
    CandidatesQuerySerializer,
    CandidatesSerializer,
    NeedCancelSerializer,
    NeedCreateSerializer,
    NeedFilterSerializer,
    NeedHandOverSerializer,
    NeedSerializer,
    NeedUpdateSerializer,
    OfferRequestSerializer,
    OfferSerializer,
    OffersMadeSerializer,
)
from needs.services import lifecycle, posting
from needs.services import offers as offer_services
from needs.services.editing import NeedNotEditable, need_update
from needs.services.handover import need_hand_over
from volunteers.apis import local_authority_id
from volunteers.permissions import (
    COORDINATOR,
    IsStaffMember,
    ViewersReadOnly,
    organisation_for,
)


@extend_schema_view(
    list=extend_schema(
        summary="Needs posted by your organisations (newest first)",
        description=(
            "The requester's details (with the dietary notes, the full postcode and the exact place) "
            "never appear in a list; read one need to see them. A place in a list is the centre of "
            "the need's cell. Unless you coordinate wherever you work, a search by area "
            "(latitude, longitude, radius_km) must be at least PRIVACY_MIN_RADIUS_KM wide and "
            "matches needs by their cell."
        ),
        parameters=[NeedFilterSerializer],
    ),
    retrieve=extend_schema(
        summary="One need",
        description=(
            "Coordinators of the posting organisation also get the requester's name, phone, address, "
            "full postcode, exact place, the private details and the dietary or cultural notes; each "
            "such read is written to the audit log. Others get the centre of the need's cell."
        ),
    ),
    create=extend_schema(
        summary="Post a need",
        request=NeedCreateSerializer,
        responses={201: NeedSerializer},
    ),
)
class NeedViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsStaffMember, ViewersReadOnly, NeedAccess]
    serializer_class = NeedSerializer

    def get_queryset(self):
        needs = needs_for_staff(user=self.request.user)
        if self.action != "list":
            return needs
        params = query_params_validate(NeedFilterSerializer, self.request)
        if not can_search_needs_finely(user=self.request.user):
            radius_minimum_check(params)
        return needs_filter(
            needs=needs,
            statuses=params.get("status"),
            category=params.get("category"),
            urgency=params.get("urgency"),
            local_authority_id=(
                local_authority_id(params["local_authority"]) if "local_authority" in params else None
            ),
            organisation_slug=params.get("organisation"),
            latitude=params.get("latitude"),
            longitude=params.get("longitude"),
            radius_km=params.get("radius_km"),
            seen_in_full=needs_seen_in_full(user=self.request.user),
        )

    def retrieve(self, request, *args, **kwargs):
        need = self.get_object()
        visible = set()
        if can_see_requester(user=request.user, need=need):
            visible = {need.id}
            requester_read_record(need=need, user=request.user)
        return Response(NeedSerializer(need, context={"requester_visible": visible}).data)

    def create(self, request, *args, **kwargs):
        incoming = NeedCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        organisation = organisation_for(
            user=request.user, roles={COORDINATOR}, slug=data.pop("organisation", None), doing="post a need"
        )
        need = posting.need_create(organisation=organisation, posted_by=request.user, **data)
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a need still waiting for a volunteer",
        description=(
            "Send only what changes. A new place, window, DBS level, car or skills checks every open "
            "offer again: the volunteers it no longer fits are told by text that it is withdrawn, and "
            "the need is offered to others. 409 once a volunteer has it or it is closed."
        ),
        request=NeedUpdateSerializer,
        responses={200: NeedSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        need = self._need_to_manage()
        incoming = NeedUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        try:
            need_update(need=need, actor=request.user, changes=dict(incoming.validated_data))
        except NeedNotEditable as exc:
            raise Conflict(str(exc)) from None
        return Response(NeedSerializer(need).data)

    @extend_schema(
        summary="Hand this need to another organisation that covers its place",
        request=NeedHandOverSerializer,
        responses={200: NeedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        need = self._need_to_manage()
        incoming = NeedHandOverSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        to = organisations_to_hand_to(need=need).filter(slug=incoming.validated_data["organisation"]).first()
        if to is None:
            raise exceptions.ValidationError(
                {
                    "organisation": [
                        f"No other organisation with that slug covers the place of need {need.ref}."
                    ]
                }
            )
        try:
            need_hand_over(need=need, to_organisation=to, actor=request.user)
        except NeedNotEditable as exc:
            raise Conflict(str(exc)) from None
        return Response(NeedSerializer(need).data)

    def _need_to_manage(self) -> Need:
        need = self.get_object()
        if not can_manage_need(user=self.request.user, need=need):
            raise exceptions.PermissionDenied("Only a coordinator of the posting organisation may do this.")
        return need

    @extend_schema(
        summary="The best volunteers for this need, ranked, with why",
        parameters=[CandidatesQuerySerializer],
        responses={200: CandidatesSerializer},
    )
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        need = self._need_to_manage()
        limit = query_params_validate(CandidatesQuerySerializer, request)["limit"]
        result, names = need_candidates(need=need, limit=limit)
        body = {
            "searched_km": result.searched_km,
            "excluded": result.excluded,
            "candidates": [
                {
                    "rank": c.rank,
                    "volunteer": {"id": c.volunteer_id, "name": names.get(c.volunteer_id, "")},
                    "distance_km": round(c.distance_km, 2),
                    "recent_tasks": c.recent_tasks,
                    "reliability": c.reliability,
                    "why": c.explanation.get("reasons", []),
                    "explanation": c.explanation,
                }
                for c in result.candidates
            ],
        }
        return Response(CandidatesSerializer(body).data)

    @extend_schema(
        summary="Offers made for this need, best ranked first", responses={200: OfferSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def offers(self, request, pk=None):
        need = self.get_object()
        return Response(OfferSerializer(offers_for_need(need=need), many=True).data)

    @extend_schema(
        summary="Offer this need to the best n volunteers not yet asked",
        request=OfferRequestSerializer,
        responses={
            201: OffersMadeSerializer,
            200: OpenApiResponse(OffersMadeSerializer, description="Nobody eligible is left within reach."),
        },
    )
    @offers.mapping.post
    def offers_make(self, request, pk=None):
        need = self._need_to_manage()
        incoming = OfferRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if need.status not in (Need.Status.OPEN, Need.Status.OFFERED):
            raise Conflict(f"Need {need.ref} is {need.get_status_display().lower()}: it cannot be offered.")
        count = incoming.validated_data.get("count", settings.OFFERS_PER_NEED)
        offers = offer_services.offers_make(need=need, count=count, actor=request.user)
        if offers:
            message = offers_made_note(offers=offers, names=False)
        else:
            message = "Nobody eligible is left within reach; the coordinators have been alerted."
        body = {"made": len(offers), "message": message, "offers": offers}
        return Response(
            OffersMadeSerializer(body).data, status=status.HTTP_201_CREATED if offers else status.HTTP_200_OK
        )

    @extend_schema(summary="Cancel this need", request=NeedCancelSerializer, responses={200: NeedSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        need = self._need_to_manage()
        incoming = NeedCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if not lifecycle.need_cancel(need=need, actor=request.user, reason=incoming.validated_data["reason"]):
            raise Conflict(f"Need {need.ref} is already closed.")
        return Response(NeedSerializer(need).data)

    @extend_schema(summary="Mark this need done", request=None, responses={200: NeedSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        need = self._need_to_manage()
        if not lifecycle.need_mark_done(need=need, actor=request.user):
            raise Conflict(f"Need {need.ref} is not assigned: only an assigned need can be marked done.")
        return Response(NeedSerializer(need).data)
