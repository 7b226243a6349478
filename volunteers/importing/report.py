"""What an import did, row by row: the report a person reads after running it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    kind: str  # "volunteers" or "groups"
    source: str
    dry_run: bool = False
    encoding: str = "utf-8"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    memberships_created: int = 0
    opted_out: int = 0  # imported, but their number had opted out: kept opted out
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # (line, earlier line, what they share): the later line's stated values win, see docs/privacy.md
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    approximate: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # (the header as typed, the column it was read as or "" when ignored), in the file's order
    understood: list[tuple[str, str]] = field(default_factory=list)
    # Volunteers only: the consent columns the file has, and new people whose consent is unknown.
    consent_columns: list[str] | None = None
    consent_unknown: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        text = (
            f"{verb} {self.imported} {self.kind} from {self.source} ({self.encoding}): "
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"{len(self.rejected)} rejected; {len(self.duplicates)} duplicate lines merged"
        )
        if self.memberships_created:
            text += f"; {self.memberships_created} new group memberships"
        if self.opted_out:
            text += f"; {self.opted_out} kept opted out (their number had texted STOP)"
        if self.consent_unknown:
            text += (
                f"; {self.consent_unknown} with consent unknown (no consent_date: they are asked to "
                "re-consent before any offer or campaign)"
            )
        if self.dry_run:
            text += ". Dry run: nothing was written."
        else:
            text += "."
        return text

    def lines(self) -> list[str]:
        """Every rejected, merged and approximate row, in file order, for stderr."""
        out = [(line, f"line {line}: rejected: {reason}") for line, reason in self.rejected]
        out += [
            (line, f"line {line}: duplicates line {earlier} ({what}); line {line}'s values win")
            for line, earlier, what in self.duplicates
        ]
        out += [(line, f"line {line}: located approximately: {why}") for line, why in self.approximate]
        text = [t for _, t in sorted(out, key=lambda item: item[0])]
        if self.understood:
            text.insert(0, self._columns_line())
        elif self.ignored_columns:
            text.insert(0, f"columns ignored (not known): {', '.join(self.ignored_columns)}")
        if self.consent_columns is not None:
            text.insert(0, self._consent_line())
        return text

    def _columns_line(self) -> str:
        """How each header was read: "'Full Name' as name, 'Mobile Number' as phone, 'Notes' ignored"."""
        said = [
            (f"{typed!r} as {name}" if typed.casefold() != name else name)
            if name
            else f"{typed!r} ignored (not known)"
            for typed, name in self.understood
        ]
        return "columns read: " + ", ".join(said)

    def _consent_line(self) -> str:
        if not self.consent_columns:
            return (
                "consent columns: none (consent_date, consent_wording, consent_source): each person's "
                f"consent is recorded as unknown, imported from {self.source}"
            )
        return f"consent columns read: {', '.join(self.consent_columns)}"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "source": self.source,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "duplicates": len(self.duplicates),
            "memberships_created": self.memberships_created,
            "opted_out": self.opted_out,
            "consent_unknown": self.consent_unknown,
        }
