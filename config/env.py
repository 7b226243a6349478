"""Tiny readers for settings held in environment variables.

Each one fails loudly (``ImproperlyConfigured``) on a value it cannot read, so that a typo in a
deployment stops the service at start-up instead of silently running with a default.
No Django imports beyond the exception, so the settings module can use them before setup.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: str) -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}")
    return value


def parse_quiet_hours(name: str, raw: str, *, example: str = "21:00-08:00") -> tuple[time, time] | None:
    """``"21:00-08:00"`` -> (21:00, 08:00); an empty value turns quiet hours off. Any span of
    hours of the day is read so (the phone line's duty hours too; ``example`` is for the error)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        start_s, end_s = raw.split("-")
        start = time.fromisoformat(start_s.strip())
        end = time.fromisoformat(end_s.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must look like {example} (or be empty to turn it off), not {raw!r}"
        ) from None
    if start == end:
        raise ImproperlyConfigured(f"{name} starts and ends at the same time: {raw!r}")
    return start, end


def env_hours(name: str, default: str) -> tuple[time, time] | None:
    """Hours of the day, Europe/London (``"09:00-17:00"``; may cross midnight); empty: none."""
    return parse_quiet_hours(name, env_str(name, default), example=default)


def env_e164(name: str) -> str:
    """A phone number in E.164 (``+441214960000``), or empty."""
    value = env_str(name)
    if value and not re.fullmatch(r"\+[1-9]\d{6,14}", value):
        raise ImproperlyConfigured(f"{name} must be a phone number in E.164 (+441214960000), not {value!r}")
    return value


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from ``path`` into the environment, never overriding what is set.

    Lets an operator keep settings in ``.env`` next to ``manage.py``; the real environment wins.
    """
    if not path.is_file():
        return
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ImproperlyConfigured(f"{path}:{lineno}: expected KEY=VALUE, got {line!r}")
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)
