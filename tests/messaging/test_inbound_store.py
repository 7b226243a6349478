"""The inbound webhook's hot path: one INSERT, nothing read before it, handling enqueued in the same
commit (ORM broker), the volunteer found by the task."""

import pytest
from twilio.request_validator import RequestValidator

from messaging.models import InboundMessage
from tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db
INBOUND = "/sms/twilio/inbound/"


def signed_post(client, params):
    sig = RequestValidator("test-auth-token").compute_signature("http://testserver" + INBOUND, params)
    return client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=sig)


def params(sid="SMstore1", body="HELP", phone="+447700900123"):
    return {"MessageSid": sid, "From": phone, "To": "+447700900000", "Body": body}


def test_a_webhook_is_stored_with_one_insert_and_no_select(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(3) as ctx:
        r = signed_post(client, params())
    assert r.status_code == 200 and b"<Response/>" in r.content
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    # SAVEPOINT, the INSERT ... ON CONFLICT DO NOTHING, RELEASE: the unique MessageSid decides.
    assert [s.split()[0] for s in sql] == ["SAVEPOINT", "INSERT", "RELEASE"]
    assert "ON CONFLICT" in sql[1]
    stored = InboundMessage.objects.get()
    assert (stored.message_sid, stored.from_number, stored.body, stored.outcome) == (
        "SMstore1",
        "+447700900123",
        "HELP",
        "pending",
    )


def test_a_retried_webhook_is_stored_once_and_enqueued_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        signed_post(client, params(sid="SMretry"))
    with django_capture_on_commit_callbacks(execute=False) as retry:
        r = signed_post(client, params(sid="SMretry", body="changed in transit?"))
    assert r.status_code == 200
    assert InboundMessage.objects.filter(message_sid="SMretry").count() == 1
    assert InboundMessage.objects.get(message_sid="SMretry").body == "HELP"
    assert (len(first), len(retry)) == (1, 0)


def test_the_task_links_the_volunteer(client, django_capture_on_commit_callbacks):
    v = VolunteerFactory(phone="+447700900321")
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, params(sid="SMvol", body="PAUSE", phone="07700 900321"))
    stored = InboundMessage.objects.get(message_sid="SMvol")
    assert stored.volunteer_id == v.pk and stored.outcome == "handled"
    v.refresh_from_db()
    assert v.status == "paused"


def test_with_the_orm_broker_the_task_commits_with_the_message(client, settings):
    from django_q.conf import Conf
    from django_q.models import OrmQ

    if not Conf.ORM:
        pytest.skip("django-q2 is configured with Redis here")
    settings.SMS_TASKS_SYNC = False
    signed_post(client, params(sid="SMorm"))
    signed_post(client, params(sid="SMorm"))  # Twilio retries
    (task,) = OrmQ.objects.all()
    assert task.task["func"] == "messaging.tasks.inbound_handle"
    assert task.args() == (InboundMessage.objects.get(message_sid="SMorm").pk,)
