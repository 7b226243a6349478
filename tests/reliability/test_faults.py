"""Faults in the middle of a bulk send: nothing lost, nothing doubled.

Each test queues a campaign (message_queue, BULK priority: what a reactivation wave does) to N
recipients while the real qcluster sends it through the real twilio client to the fake Twilio
server, injects one fault a third of the way in, sends signed inbound texts (HELP, some webhooks
retried with the same MessageSid) during the fault, and then checks:

* accepted sends: for each recipient, the fake Twilio created exactly one message with the
  campaign's body. A request answered 429 or 500 creates nothing at Twilio; a request that hung
  past SMS_HTTP_TIMEOUT WAS created at Twilio (our client just never heard), so it counts as that
  recipient's one send and must be reconciled, never resent. And the outbox row of each recipient
  ends ``sent`` carrying that very message's sid.
* inbound: every MessageSid posted is stored once, handled once, answered once (one reply row per
  MessageSid, one reply message created at the fake per inbound text).

The scheduled jobs (outbox_sweep every minute, outbox_reconcile every two) are called directly
while settling, with shorter thresholds, and only once the fake has been quiet (no request for two
seconds), so that a shorter threshold cannot mistake a live send for a dead one. Errored rows'
5 and 10 minute back-offs are skipped by making them due (harness ``backoff_skip``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.reliability import harness
from tests.reliability.conftest import LONG

pytestmark = pytest.mark.reliability

N = 5000 if LONG else 500
INBOUND = 30 if LONG else 12
SETTLE_SECONDS = 600 if LONG else 75


class Campaign:
    def __init__(self, stack: harness.Stack, tag: str, start: int):
        self.stack, self.tag, self.start = stack, tag, start
        self.phones = [harness.recipient_phone(start + i) for i in range(N)]
        self.sids: list[str] = []
        self.inbound_phones: Counter = Counter()

    def mine(self) -> list[dict]:
        return [m for m in self.stack.fake.created() if f" {self.tag}-" in m["body"]]

    def queue(self) -> None:
        self.stack.op("queue_bulk", n=N, start=self.start, tag=self.tag)

    def wait_progress(self, share: float, timeout: float = 120) -> None:
        harness.wait_until(
            lambda: len(self.mine()) >= share * N,
            timeout=timeout,
            interval=0.1,
            what=f"{share:.0%} of {self.tag} sent",
        )

    def text_in(self, k: int, body: str = "HELP", retry_every: int = 3, deadline: float = 90) -> None:
        """k signed inbound texts from recipients; every ``retry_every``-th webhook is posted twice
        (Twilio retrying). A webhook answered with anything but 200 is posted again until it is
        accepted, as Twilio's retry would (bounded)."""
        for j in range(k):
            phone = self.phones[(j * 37) % N]
            sid = f"SM{self.tag}{j:08d}".ljust(34, "0")[:34]
            self.sids.append(sid)
            self.inbound_phones[phone] += 1
            for _copy in range(2 if j % retry_every == 0 else 1):
                end = time.monotonic() + deadline
                while self.stack.inbound(phone=phone, body=body, sid=sid) != 200:
                    assert time.monotonic() < end, f"webhook {sid} never accepted"
                    time.sleep(0.5)

    def fake_quiet(self, seconds: float = 2.0) -> bool:
        creates = self.stack.fake.creates()
        return not creates or time.time() - creates[-1].at >= seconds

    def settle(self) -> dict:
        """Run the scheduled jobs until every row is final and every inbound text handled."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            report = self.stack.op("outbox_report", prefix=f"{self.tag}:")
            unsettled = {s: n for s, n in report["states"].items() if s not in ("sent", "delivered")}
            inbound_done = not report["inbound_unhandled"] and report["replies_sent"] >= report["replies"]
            if not unsettled and inbound_done and len(self.mine()) >= N:
                return report
            assert time.monotonic() < deadline, (
                f"not settled in {SETTLE_SECONDS}s: {unsettled} {report['inbound_unhandled']} unhandled"
            )
            self.stack.op("backoff_skip")
            harness.wait_until(self.fake_quiet, timeout=120, interval=0.5, what="fake Twilio quiet")
            self.stack.op("settle", stale_seconds=3, grace_seconds=3)
            time.sleep(1)

    def check(self, report: dict) -> None:
        mine = self.mine()
        per_phone = Counter(m["to"] for m in mine)
        doubled = {p: n for p, n in per_phone.items() if n > 1}
        lost = [p for p in self.phones if p not in per_phone]
        assert not doubled, f"{len(doubled)} recipients texted twice, e.g. {list(doubled.items())[:3]}"
        assert not lost, f"{len(lost)} recipients never texted, e.g. {lost[:3]}"
        assert report["states"] == {"sent": N}, report["states"]
        sids = self.stack.op("provider_sids", prefix=f"{self.tag}:")
        fake_sid = {m["to"]: m["sid"] for m in mine}
        wrong = [p for p, sid in sids.items() if fake_sid.get(p) != sid]
        assert not wrong, f"{len(wrong)} rows carry a sid other than the message Twilio has, e.g. {wrong[:3]}"
        # Inbound: each MessageSid stored once, handled, answered once.
        mine_sids = [s for s in report["inbound_sids"] if s.startswith(f"SM{self.tag}")]
        assert sorted(mine_sids) == sorted(self.sids)
        assert report["inbound_unhandled"] == 0
        replies = [k for k in report["reply_keys"] if k.startswith(f"reply:SM{self.tag}")]
        assert sorted(replies) == sorted(f"reply:{s}" for s in self.sids)
        help_replies = Counter(
            m["to"]
            for m in self.stack.fake.created()
            if m["to"] in self.inbound_phones and "Reply YES REF" in m["body"]
        )
        assert help_replies == self.inbound_phones, "each inbound text answered exactly once at Twilio"


def during(fault, traffic) -> None:
    """Run ``fault`` (a restart) in a thread and ``traffic`` while it is happening."""
    errors: list[BaseException] = []

    def run():
        try:
            fault()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.3)
    traffic()
    thread.join(timeout=120)
    assert not thread.is_alive() and not errors, errors


def test_twilio_429_500_and_hang_mid_send(fault_stack):
    """Twilio answers 429, then 500, then stops answering (the message is created, the answer never
    comes within SMS_HTTP_TIMEOUT): a minute in the long version, 3 s in the quick one."""
    c = Campaign(fault_stack, "twl", start=0)
    posts_before, created_before = len(fault_stack.fake.creates()), len(fault_stack.fake.created())
    c.queue()
    c.wait_progress(1 / 3)
    fault_stack.fake.fail_next("429", count=25)
    fault_stack.fake.fail_next("500", count=25)
    hangs = 4 * (6 if LONG else 2)  # every worker hangs for as long as Twilio does
    fault_stack.fake.fail_next("hang", count=hangs)
    c.text_in(INBOUND)
    report = c.settle()
    c.check(report)
    # Every create request either made a message (hung ones included) or was one of the 50 answered
    # 429/500: no request beyond those, so nothing was resent after a hang.
    posts = len(fault_stack.fake.creates()) - posts_before
    created = len(fault_stack.fake.created()) - created_before
    assert posts - created == 50


def test_worker_sigkill_mid_send_then_restart(fault_stack):
    """Every task worker and the cluster's parent get SIGKILL at once a third of the way in; texts
    arrive while it is dead; a new cluster is started."""
    c = Campaign(fault_stack, "kil", start=10_000)
    c.queue()
    c.wait_progress(1 / 3)
    fault_stack.cluster_kill()
    time.sleep(1)  # a request written before the kill reaches the fake now or never
    c.text_in(INBOUND)
    # No worker is alive: every `sending` row is orphaned and every request that will reach Twilio
    # has, so the sweeper may use a zero threshold here (standing in for SMS_STALE_SENDING_SECONDS).
    fault_stack.op("settle", stale_seconds=0, grace_seconds=0)
    fault_stack.cluster_start()
    c.check(c.settle())


def test_postgresql_restart_mid_send(private_stack):
    """The (private) PostgreSQL is stopped with its clients cut off, stays down, and comes back."""
    c = Campaign(private_stack, "pgr", start=20_000)
    c.queue()
    c.wait_progress(1 / 3)
    during(lambda: private_stack.pg.restart(down_seconds=10 if LONG else 3), lambda: c.text_in(INBOUND))
    c.check(c.settle())


def test_redis_restart_mid_send(private_stack):
    """The (private) Redis, broker and cache, restarts with nothing persisted: every queued task and
    the rate limiter's state are gone."""
    c = Campaign(private_stack, "rdr", start=30_000)
    c.queue()
    c.wait_progress(1 / 3)
    during(lambda: private_stack.redis.restart(down_seconds=5 if LONG else 4), lambda: c.text_in(INBOUND))
    c.check(c.settle())
