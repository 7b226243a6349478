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
from django.db import connection

LIMITER_NAME = "sms"
# The limiter spaces texts for 98% of SMS_MAX_PER_SECOND: the time between our decision to send
# and the request reaching Twilio varies by a few milliseconds on a busy machine, and at exactly
# 100% that jitter alone put a 10-second window at 101 texts for a cap of 10 (bench.campaign).
HEADROOM = 0.98

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

    def reserve(self, seconds: float, name: str = LIMITER_NAME) -> float:
        key = self.key if name == LIMITER_NAME else f"rekindle:ratelimit:{name}"
        return float(self.script(keys=[key], args=[repr(seconds)]))

    def reset(self, name: str = LIMITER_NAME) -> None:
        self.client.delete(self.key if name == LIMITER_NAME else f"rekindle:ratelimit:{name}")


class _DatabaseLimiter:
    def reserve(self, seconds: float, name: str = LIMITER_NAME) -> float:
        """One UPDATE ... RETURNING computes and stores the new ``tat``: atomic on its own (a row
        lock on PostgreSQL, the single writer on SQLite), where a read-then-write in a deferred
        SQLite transaction let two threads read the same ``tat`` and both go."""
        from messaging.models import SendRate

        ops = connection.ops
        table = ops.quote_name(SendRate._meta.db_table)
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        sql = f"UPDATE {table} SET tat = {greatest}(tat, %s) + %s WHERE name = %s RETURNING tat"  # noqa: S608
        for _ in range(2):
            now = time.time()
            with connection.cursor() as cursor:
                cursor.execute(sql, [now, seconds, name])
                row = cursor.fetchone()
            if row is not None:
                return row[0] - now
            SendRate.objects.get_or_create(name=name)
        raise RuntimeError("the send limiter's row could not be created")

    def reset(self, name: str = LIMITER_NAME) -> None:
        from messaging.models import SendRate

        SendRate.objects.filter(name=name).delete()


_limiter = None
_limiter_key = None


def limiter_get():
    global _limiter, _limiter_key
    url = settings.REDIS_URL or ""
    if _limiter is None or _limiter_key != url:
        _limiter = _RedisLimiter(url) if url else _DatabaseLimiter()
        _limiter_key = url
    return _limiter


def rate_effective() -> float:
    """Segments per second the limiter actually allows (see HEADROOM)."""
    return float(settings.SMS_MAX_PER_SECOND) * HEADROOM


def rate_wait(*, segments: int, sleep=time.sleep) -> float:
    """Reserve room for ``segments`` and sleep until it is ours. Returns the seconds waited."""
    wait = limiter_get().reserve(segments / rate_effective())
    if wait > 0:
        sleep(wait)
    return max(wait, 0.0)


def rate_reserve(*, segments: list[int]) -> list[float]:
    """Reserve room for a batch in ONE limiter call (one Redis round trip or one short transaction,
    instead of one per text). Returns, per text and in order, the seconds from now until the END of
    its own slot: sending each no earlier than that keeps every window under the cap, exactly as
    ``rate_wait`` does for one text."""
    if not segments:
        return []
    rate = rate_effective()
    total = sum(segments) / rate
    end = limiter_get().reserve(total)
    start = end - total
    waits, used = [], 0
    for n in segments:
        used += n
        waits.append(max(start + used / rate, 0.0))
    return waits


def rate_wait_named(*, name: str, per_second: float, sleep=time.sleep) -> float:
    """The same shared limiter for another stream (``name``, e.g. "calls") at its own rate: reserve
    one slot and sleep until it is ours. Returns the seconds waited."""
    wait = limiter_get().reserve(1 / (per_second * HEADROOM), name)
    if wait > 0:
        sleep(wait)
    return max(wait, 0.0)


def rate_penalise(*, seconds: float) -> None:
    """Hold every worker back for ``seconds`` (Twilio said its queue for our sender is full)."""
    limiter_get().reserve(seconds)
