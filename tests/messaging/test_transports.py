"""The real twilio client against the local Twilio-compatible server: what goes out, how errors map."""

import pytest

from messaging.transports import OutgoingSms, SmsSendError, transport_get

pytestmark = pytest.mark.django_db


def send(text="Hello", to="+447700900123", message_id=7):
    return transport_get().send(OutgoingSms(message_id=message_id, to=to, body=text))


def test_the_real_client_posts_to_the_configured_base_url(fake_twilio, settings):
    result = send("Can you help? Reply YES 7KQ2")
    assert result.provider_sid.startswith("SM")
    (request,) = fake_twilio.creates()
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert request.form["To"] == "+447700900123"
    assert request.form["From"] == "+447700900000"
    assert request.form["Body"] == "Can you help? Reply YES 7KQ2"
    assert request.form["StatusCallback"] == "http://testserver/sms/twilio/status/?m=7"
    assert int(request.form["ValidityPeriod"]) <= 3600


def test_a_messaging_service_is_used_when_configured(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "2" * 32
    send()
    (request,) = fake_twilio.creates()
    assert request.form["MessagingServiceSid"] == "MG" + "2" * 32
    assert "From" not in request.form


def test_one_client_per_process(fake_twilio):
    assert transport_get() is transport_get()


@pytest.mark.parametrize(
    ("fault", "permanent", "bad_number", "opted_out", "slow_down", "maybe_sent"),
    [
        (21211, True, True, False, False, False),
        (21614, True, True, False, False, False),
        (21612, True, True, False, False, False),
        (21408, True, True, False, False, False),
        (21610, True, False, True, False, False),
        (21611, False, False, False, True, False),
        (30001, False, False, False, True, False),
        ("429", False, False, False, False, False),
        ("500", False, False, False, False, False),
        ("hang", False, False, False, False, True),
        ("drop", False, False, False, False, True),
    ],
)
def test_errors_become_domain_errors(
    fake_twilio, fault, permanent, bad_number, opted_out, slow_down, maybe_sent
):
    fake_twilio.fail_next(fault)
    with pytest.raises(SmsSendError) as caught:
        send()
    err = caught.value
    assert (err.permanent, err.bad_number, err.opted_out, err.slow_down, err.maybe_sent) == (
        permanent,
        bad_number,
        opted_out,
        slow_down,
        maybe_sent,
    )


def test_nobody_listening_is_retryable_not_unknown(fake_twilio, settings):
    fake_twilio.stop()
    with pytest.raises(SmsSendError) as caught:
        send()
    assert not caught.value.maybe_sent and not caught.value.permanent


def test_wrong_credentials_are_a_permanent_error(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(SmsSendError) as caught:
        send()
    assert caught.value.permanent
