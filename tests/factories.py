"""factory_boy factories for every model, placed in Birmingham unless told otherwise."""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from messaging.models import InboundMessage, InboxEntry, OptOut, OutboundMessage
from needs.models import Need, Offer
from reactivation.models import Campaign, CampaignRecipient, Playbook, PlaybookVersion
from volunteers.models import (
    LocalAuthority,
    Membership,
    MutualAidGroup,
    Organisation,
    StaffRole,
    Volunteer,
)

BIRMINGHAM = (52.4796, -1.9026)
_phones = itertools.count(0)


def drama_phone() -> str:
    """A number from Ofcom's drama range (07700 900000-900999), then the unallocated rest of 077009."""
    return f"+4477009{next(_phones):05d}"


def local_authority(name: str = "Birmingham") -> LocalAuthority:
    return LocalAuthority.objects.get(name=name)


def offer_path(offer: Offer) -> str:
    """A fresh ``/o/<token>/`` link to ``offer``, as a text carrying it would have one (the server
    keeps only the token's hash, so a test asks for a link as the offer text does)."""
    from needs.offer_links import offer_link_issue

    return urlsplit(offer_link_issue(offer=offer)).path


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.CHARITY

    @factory.post_generation
    def covers(self, create, extracted, **kwargs):
        if create and extracted:
            self.local_authorities.set([local_authority(name) for name in extracted])


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = StaffRole.Role.COORDINATOR


class LocatedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    latitude = BIRMINGHAM[0]
    longitude = BIRMINGHAM[1]


class MutualAidGroupFactory(LocatedFactory):
    class Meta:
        model = MutualAidGroup

    name = factory.Sequence(lambda n: f"Street Champions {n}")
    slug = factory.Sequence(lambda n: f"street-champions-{n}")
    local_authority = factory.LazyFunction(local_authority)
    services = ["shopping"]


class VolunteerFactory(LocatedFactory):
    class Meta:
        model = Volunteer

    name = factory.Faker("name", locale="en_GB")
    phone = factory.LazyFunction(drama_phone)
    postcode = "B1 1AA"
    local_authority = factory.LazyFunction(local_authority)
    languages = ["en"]
    consent_at = factory.LazyFunction(timezone.now)
    consent_text = "I agree to be texted when a neighbour needs help. Reply STOP to opt out."
    consent_channel = Volunteer.ConsentChannel.WEB
    consent_source = "tests"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    volunteer = factory.SubFactory(VolunteerFactory)
    group = factory.SubFactory(MutualAidGroupFactory)


class NeedFactory(LocatedFactory):
    class Meta:
        model = Need

    category = Need.Category.SHOPPING
    summary = "Weekly shop for an older person"
    details = "Milk, bread, tea. Knock loudly."
    requester_name = "Edna Example"
    requester_phone = factory.LazyFunction(drama_phone)
    requester_address = "1 Example Road, Birmingham"
    postcode = "B1 1AA"
    organisation = factory.SubFactory(OrganisationFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    need = factory.SubFactory(NeedFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    rank = factory.Sequence(lambda n: n + 1)
    distance_km = 1.0


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    to = factory.LazyFunction(drama_phone)
    body = "Hello from Rekindle"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


class InboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundMessage

    message_sid = factory.Sequence(lambda n: f"SM{n:032d}")
    from_number = factory.LazyFunction(drama_phone)
    body = "YES"


class InboxEntryFactory(factory.django.DjangoModelFactory):
    """A text in one organisation's inbox (``organisation=None``: the regional desk)."""

    class Meta:
        model = InboxEntry

    message = factory.SubFactory(InboundMessageFactory, needs_attention=True, outcome="not_understood")
    organisation = factory.SubFactory(OrganisationFactory)


class OptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptOut

    phone = factory.LazyFunction(drama_phone)
    source = OptOut.Source.SMS


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    slug = factory.Sequence(lambda n: f"playbook-{n}")
    title = factory.Sequence(lambda n: f"Playbook {n}")
    crisis_type = Playbook.CrisisType.PANDEMIC
    summary = "How we ran it."


class PlaybookVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaybookVersion

    playbook = factory.SubFactory(PlaybookFactory)
    number = 1
    templates = {
        "en": {"volunteer_call": "{sender}: can you help in {area}? Reply READY. Reply STOP to opt out"}
    }


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    playbook_version = factory.SubFactory(PlaybookVersionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    area = {"local_authorities": ["Birmingham"]}
    created_by = factory.SubFactory(UserFactory)
    spend_cap_pence = 10_000


class CampaignRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignRecipient

    campaign = factory.SubFactory(CampaignFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
