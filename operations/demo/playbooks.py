"""The playbooks the demo ships with: every file in reactivation/demo_playbooks/."""

from __future__ import annotations

import json
from pathlib import Path

from reactivation.services.playbooks import playbook_import

PLAYBOOK_DIR = Path(__file__).resolve().parents[2] / "reactivation" / "demo_playbooks"


def playbook_documents() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(PLAYBOOK_DIR.glob("*.json"))]


def playbooks_seed() -> None:
    """Import each demo playbook (importing unchanged content adds no version)."""
    for document in playbook_documents():
        playbook_import(document=document)
