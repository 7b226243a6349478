"""One send limiter shared by every worker: SMS_MAX_PER_SECOND in segments per second.

GCRA in its simplest form: the limiter keeps the time the sender is next free (``tat``). A send of
``n`` segments reserves the interval [max(tat, now), max(tat, now) + n / rate) and the caller waits
until the END of that interval before sending, so that over any stretch of time no more than
rate x seconds segments leave, whatever the number of workers. Redis holds ``tat`` when REDIS_URL is
set (a Lua script makes the reservation atomic and uses Redis's clock); otherwise a database row does
(``SELECT ... FOR UPDATE``; SQLite's IMMEDIATE transactions serialise it the same way).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction

LIMITER_NAME = "sms"

_RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local new = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(new), 'EX', 3600)
return tostring(new - now)
"""


class _RedisLimiter:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(_RESERVE_LUA)
        self.key = f"rekindle:ratelimit:{LIMITER_NAME}"

    def reserve(self, seconds: float) -> float:
        return float(self.script(keys=[self.key], args=[repr(seconds)]))

    def reset(self) -> None:
        self.client.delete(self.key)


class _DatabaseLimiter:
    def reserve(self, seconds: float) -> float:
        from messaging.models import SendRate

        with transaction.atomic():
            row, _ = SendRate.objects.select_for_update().get_or_create(name=LIMITER_NAME)
            now = time.time()
            row.tat = max(row.tat, now) + seconds
            SendRate.objects.filter(pk=row.pk).update(tat=row.tat)
        return row.tat - now

    def reset(self) -> None:
        from messaging.models import SendRate

        SendRate.objects.filter(name=LIMITER_NAME).delete()


_limiter = None
_limiter_key = None


def limiter_get():
    global _limiter, _limiter_key
    url = getattr(settings, "REDIS_URL", "") or ""
    if _limiter is None or _limiter_key != url:
        _limiter = _RedisLimiter(url) if url else _DatabaseLimiter()
        _limiter_key = url
    return _limiter


def rate_wait(*, segments: int, sleep=time.sleep) -> float:
    """Reserve room for ``segments`` and sleep until it is ours. Returns the seconds waited."""
    wait = limiter_get().reserve(segments / float(settings.SMS_MAX_PER_SECOND))
    if wait > 0:
        sleep(wait)
    return max(wait, 0.0)


def rate_penalise(*, seconds: float) -> None:
    """Hold every worker back for ``seconds`` (Twilio said its queue for our sender is full)."""
    limiter_get().reserve(seconds)
