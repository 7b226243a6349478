"""Bringing in the 2020 spreadsheets: see reading.py (files), rows.py (checks), *_import.py (writes)."""

from volunteers.importing.group_import import groups_import
from volunteers.importing.reading import FileProblem
from volunteers.importing.report import ImportReport
from volunteers.importing.volunteer_import import volunteers_import

__all__ = ["FileProblem", "ImportReport", "groups_import", "volunteers_import"]
