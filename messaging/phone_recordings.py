"""A caller's recorded message, fetched from Twilio for a coordinator who may hear it.

Twilio keeps the recording; its URL needs the account's credentials (HTTP basic auth) unless the
account has made recordings public, which it should not: a message holds a person's voice, name,
needs and address. So the inbox plays it through this proxy (messaging/inbox_views.py), which
checks who asks, audits the listen, and streams the MP3 from TWILIO_API_BASE_URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
from django.conf import settings

from messaging.models import InboundCall

# Only a recording of this account is ever fetched, whatever URL was stored.
_RECORDING_PATH = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})")
CHUNK = 64 * 1024


class RecordingUnavailable(Exception):
    """The recording cannot be fetched now; the message says why, in plain words."""


def recording_media_url(*, call: InboundCall) -> str:
    """Where the MP3 of the call's message is, on TWILIO_API_BASE_URL; "" when there is none."""
    found = _RECORDING_PATH.fullmatch(urlsplit(call.recording_url).path.removesuffix(".mp3"))
    if found is None or found.group(2) != call.recording_sid:
        return ""
    return f"{settings.TWILIO_API_BASE_URL}{found.group(0)}.mp3"


def recording_stream(*, call: InboundCall) -> Iterator[bytes]:
    """The MP3's bytes, as they come; RecordingUnavailable before the first when it cannot be had."""
    url = recording_media_url(call=call)
    if not url or not settings.TWILIO_ACCOUNT_SID:
        raise RecordingUnavailable("There is no recording of this call that can be fetched.")
    try:
        response = requests.get(
            url,
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            stream=True,
            timeout=settings.SMS_HTTP_TIMEOUT,
        )
    except requests.RequestException:
        raise RecordingUnavailable(
            "Twilio could not be reached for the recording. Try again shortly."
        ) from None
    if response.status_code != 200:
        response.close()
        raise RecordingUnavailable(f"Twilio did not give the recording (HTTP {response.status_code}).")

    def chunks() -> Iterator[bytes]:
        with response:
            yield from response.iter_content(CHUNK)

    return chunks()


def recording_delete(*, call: InboundCall) -> bool:
    """Delete the call's recording at Twilio (an erasure), through the official client. False when
    there is nothing there to delete (no Twilio recording, no credentials, or Twilio has it no
    more); RecordingUnavailable when Twilio could not delete it, so that the erasure stops whole
    rather than forgetting a recording it left behind."""
    if not recording_media_url(call=call) or not settings.TWILIO_ACCOUNT_SID:
        return False
    from twilio.base.exceptions import TwilioException, TwilioRestException
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.SMS_HTTP_TIMEOUT),
    )
    client.api.base_url = settings.TWILIO_API_BASE_URL  # as messaging/transports.py does
    try:
        return bool(
            client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).recordings(call.recording_sid).delete()
        )
    except TwilioRestException as exc:
        if exc.status == 404:
            return False
        raise RecordingUnavailable(
            f"Twilio did not delete the recording of a call (HTTP {exc.status}): nothing was erased. Try again."
        ) from None
    except (TwilioException, requests.RequestException):
        raise RecordingUnavailable(
            "Twilio could not be reached to delete the recording of a call: nothing was erased. Try again."
        ) from None
