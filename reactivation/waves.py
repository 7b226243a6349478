"""Right-sized waves: how many people the next wave of a campaign texts. Pure: no Django.

A playbook's ``wave_rules``::

    {"first_wave": 50,      # the most the first wave may text (start small)
     "growth": 2,           # each later wave is this many times the one before...
     "max_wave": 800,       # ...but never more than this
     "wait_minutes": 60,    # how long replies are awaited before the next wave
     "max_waves": 6,        # the playbook's limit: no more waves after this
     "stop_when_ready": 300,  # the default target when neither campaign nor needs give one
     "widen_km": 2,          # escalation (off when absent): each later wave widens a circle by this...
     "widen_to_km": 10,      # ...up to this radius (never past the organisation's own area)...
     "widen_below_ready": 20}  # ...while fewer than this have said READY (absent: the target)

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
# Escalation beyond the first area: 0 means off (a playbook turns it on by giving the first two).
ESCALATION_DEFAULTS: dict[str, float] = {"widen_km": 0, "widen_to_km": 0, "widen_below_ready": 0}


@dataclass(frozen=True)
class WaveRules:
    first_wave: int
    growth: float
    max_wave: int
    wait_minutes: int
    max_waves: int
    stop_when_ready: int
    widen_km: float = 0.0
    widen_to_km: float = 0.0
    widen_below_ready: int = 0

    @property
    def widens(self) -> bool:
        return self.widen_km > 0 and self.widen_to_km > 0


def wave_rules_problems(rules: Any) -> list[str]:
    if rules in (None, {}):
        return []
    if not isinstance(rules, Mapping):
        return ['wave_rules must be an object such as {"first_wave": 50, "growth": 2}']
    problems = []
    for key, value in rules.items():
        if key not in RULE_DEFAULTS and key not in ESCALATION_DEFAULTS:
            known = ", ".join([*RULE_DEFAULTS, *ESCALATION_DEFAULTS])
            problems.append(f"wave_rules.{key} is not a known rule (known: {known})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"wave_rules.{key} must be a positive number, not {value!r}")
    if isinstance(rules.get("growth"), int | float) and 0 < rules["growth"] < 1:
        problems.append("wave_rules.growth must be at least 1: waves grow, they do not shrink")
    if ("widen_km" in rules) != ("widen_to_km" in rules):
        problems.append(
            "wave_rules.widen_km and widen_to_km go together: how much each wave widens, and up to where"
        )
    return problems


def wave_rules_read(rules: Mapping[str, Any] | None) -> WaveRules:
    known = {**RULE_DEFAULTS, **ESCALATION_DEFAULTS}
    merged = {**known, **{k: v for k, v in (rules or {}).items() if k in known}}
    return WaveRules(
        first_wave=max(1, int(merged["first_wave"])),
        growth=max(1.0, float(merged["growth"])),
        max_wave=max(1, int(merged["max_wave"])),
        wait_minutes=max(0, int(merged["wait_minutes"])),
        max_waves=max(1, int(merged["max_waves"])),
        stop_when_ready=max(1, int(merged["stop_when_ready"])),
        widen_km=max(0.0, float(merged["widen_km"])),
        widen_to_km=max(0.0, float(merged["widen_to_km"])),
        widen_below_ready=max(0, int(merged["widen_below_ready"])),
    )


def reach_next(
    *, rules: WaveRules, reach_km: float, ready_total: int, target: int, limit_km: float
) -> float | None:
    """The radius the next wave reaches when it must widen, or None: only when the playbook allows
    it, while fewer than ``widen_below_ready`` (else the target) have said READY, one step at a
    time, never past the playbook's ``widen_to_km`` nor ``limit_km`` (what an area may be)."""
    if not rules.widens:
        return None
    ceiling = min(rules.widen_to_km, limit_km)
    if reach_km >= ceiling or ready_total >= (rules.widen_below_ready or target):
        return None
    return round(min(ceiling, reach_km + rules.widen_km), 3)


def widening_steps(
    *, rules: WaveRules, start_km: float, target: int, limit_km: float
) -> list[tuple[int, float, int]]:
    """``(wave, radius_km, below)`` for each wave that would widen if fewer than ``below`` have said
    READY by then, within the playbook's wave limit: what the dry run says in sentences."""
    steps: list[tuple[int, float, int]] = []
    reach, wave = start_km, 2
    while wave <= rules.max_waves:
        wider = reach_next(rules=rules, reach_km=reach, ready_total=0, target=target, limit_km=limit_km)
        if wider is None:
            break
        steps.append((wave, wider, rules.widen_below_ready or target))
        reach, wave = wider, wave + 1
    return steps


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
    widened: bool = False,
) -> WaveDecision:
    """Decide the next wave once the previous one's wait is over. ``widened``: the area has just
    grown for this wave, so a wave that brought no READY does not end the campaign (the people
    further out have not been asked yet)."""
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
    if last_wave_ready == 0 and not widened:
        return WaveDecision(
            0, True, f"wave {waves_sent} brought no READY replies: check the message and targeting"
        )
    # Size the next wave from what the last one achieved, grown but within the rules.
    observed = max(last_wave_ready, 1 if widened else 0) / max(1, last_wave_size)
    needed = math.ceil((target - ready_total) / max(observed, 0.01))
    grown = math.ceil(last_wave_size * rules.growth)
    size = max(1, min(needed, grown, rules.max_wave, remaining))
    return WaveDecision(size, False, f"wave {waves_sent + 1}: {ready_total} of {target} ready so far")
