"""Right-sized waves: how many people the next wave of a campaign texts. Pure: no Django.

A playbook's ``wave_rules``::

    {"first_wave": 50,      # the most the first wave may text (start small)
     "growth": 2,           # each later wave is this many times the one before...
     "max_wave": 800,       # ...but never more than this
     "wait_minutes": 60,    # how long replies are awaited before the next wave
     "max_waves": 6,        # the playbook's limit: no more waves after this
     "stop_when_ready": 300}  # the default target when neither campaign nor needs give one

The first wave's size comes from the reply rate earlier campaigns and readiness checks in the
area achieved: to find ``target`` READY people at a reply rate ``r`` takes about ``target / r``
messages. Later waves grow while READY replies keep coming; a wave that brought none stops the
campaign (the message or the targeting is wrong, and a person should look before more go out).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RULE_DEFAULTS: dict[str, float] = {
    "first_wave": 50,
    "growth": 2,
    "max_wave": 500,
    "wait_minutes": 60,
    "max_waves": 6,
    "stop_when_ready": 50,
}


@dataclass(frozen=True)
class WaveRules:
    first_wave: int
    growth: float
    max_wave: int
    wait_minutes: int
    max_waves: int
    stop_when_ready: int


def wave_rules_problems(rules: Any) -> list[str]:
    if rules in (None, {}):
        return []
    if not isinstance(rules, Mapping):
        return ['wave_rules must be an object such as {"first_wave": 50, "growth": 2}']
    problems = []
    for key, value in rules.items():
        if key not in RULE_DEFAULTS:
            problems.append(f"wave_rules.{key} is not a known rule (known: {', '.join(RULE_DEFAULTS)})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"wave_rules.{key} must be a positive number, not {value!r}")
    if isinstance(rules.get("growth"), int | float) and 0 < rules["growth"] < 1:
        problems.append("wave_rules.growth must be at least 1: waves grow, they do not shrink")
    return problems


def wave_rules_read(rules: Mapping[str, Any] | None) -> WaveRules:
    merged = {**RULE_DEFAULTS, **{k: v for k, v in (rules or {}).items() if k in RULE_DEFAULTS}}
    return WaveRules(
        first_wave=max(1, int(merged["first_wave"])),
        growth=max(1.0, float(merged["growth"])),
        max_wave=max(1, int(merged["max_wave"])),
        wait_minutes=max(0, int(merged["wait_minutes"])),
        max_waves=max(1, int(merged["max_waves"])),
        stop_when_ready=max(1, int(merged["stop_when_ready"])),
    )


def first_wave_size(*, rules: WaveRules, target: int, reply_rate: float) -> int:
    """Enough people to reach ``target`` at the expected reply rate, but no more than the rules allow."""
    needed = math.ceil(max(1, target) / max(reply_rate, 0.01))
    return max(1, min(needed, rules.first_wave, rules.max_wave))


@dataclass(frozen=True)
class WaveDecision:
    send: int  # how many to text in the next wave (0: none)
    finish: bool  # the campaign is over
    reason: str  # why, in plain words


def next_wave(
    *,
    rules: WaveRules,
    target: int,
    waves_sent: int,
    last_wave_size: int,
    last_wave_ready: int,
    ready_total: int,
    remaining: int,
    reply_rate: float,
) -> WaveDecision:
    """Decide the next wave once the previous one's wait is over."""
    if ready_total >= target:
        return WaveDecision(0, True, f"target reached: {ready_total} ready of {target} needed")
    if remaining <= 0:
        return WaveDecision(0, True, "everyone suitable in the area has been asked")
    if waves_sent >= rules.max_waves:
        return WaveDecision(0, True, f"the playbook's limit of {rules.max_waves} waves was reached")
    if waves_sent == 0:
        return WaveDecision(
            min(remaining, first_wave_size(rules=rules, target=target, reply_rate=reply_rate)),
            False,
            "first wave",
        )
    if last_wave_ready == 0:
        return WaveDecision(
            0, True, f"wave {waves_sent} brought no READY replies: check the message and targeting"
        )
    # Size the next wave from what the last one achieved, grown but within the rules.
    observed = last_wave_ready / max(1, last_wave_size)
    needed = math.ceil((target - ready_total) / max(observed, 0.01))
    grown = math.ceil(last_wave_size * rules.growth)
    size = max(1, min(needed, grown, rules.max_wave, remaining))
    return WaveDecision(size, False, f"wave {waves_sent + 1}: {ready_total} of {target} ready so far")
