"""Django's makemessages, without msgmerge's fuzzy matching: a new sentence must never arrive
with a neighbour's translation marked fuzzy (msgfmt skips fuzzy entries, and a reviewer may not
notice one); it arrives empty, for a translator (`make messages`, README "Languages")."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
