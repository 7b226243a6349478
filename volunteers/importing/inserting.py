"""Many rows in one ``executemany``: the import's write path for new rows.

Why not ``bulk_create``: for 100,000 volunteers it spent most of the import preparing ~33 fields
per row through each field's ``get_db_prep_save`` (and, on SQLite, splitting every batch into
statements of ~30 rows to stay under the 999-parameter limit). Here the caller gives the values
that differ per row, already in the database's form; everything else (defaults, the batch's
timestamps, the consent source) is prepared once, through the same field methods Django uses, so
what lands in the table is what ``bulk_create`` would have written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.utils import timezone

# Rows per statement on PostgreSQL: 500 rows of ~33 columns stay well under the 65,535 parameters
# a server-bound statement may have.
ROWS_PER_STATEMENT = 500


def _fixed(field: models.Field, constants: dict[str, Any]) -> Any:
    if field.name in constants:
        return constants[field.name]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()  # what the field's pre_save would have put there
    return field.get_default()


def _column_field(model: type[models.Model], name: str) -> models.Field:
    """The field ``name`` of ``model`` that is a column (not a reverse relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model.__name__}.{name} is a reverse relation, not a column")
    return field


def _column(field: models.Field) -> str:
    if field.column is None:  # only a field that is not concrete has none
        raise ValueError(f"{field.name} has no column")
    return field.column


def db_value(model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` of field ``name`` as the database takes it (as bulk_create would send it)."""
    return _column_field(model, name).get_db_prep_save(value, connection)


def json_values(model: type[models.Model], name: str) -> Callable[[list], Any]:
    """A memoised adapter for a JSON list field: most rows share a handful of distinct lists."""
    field = _column_field(model, name)
    seen: dict[tuple, Any] = {}

    def adapt(value: list) -> Any:
        key = tuple(value)
        if key not in seen:
            seen[key] = field.get_db_prep_save(list(value), connection)
        return seen[key]

    return adapt


class RowsInsert:
    """``INSERT INTO <table> (<every concrete column but the primary key>)`` for many rows.

    ``per_row`` names the fields each row gives (in that order, already database values);
    ``constants`` gives the value of other fields for the whole batch; any field in neither gets its
    model default. Raises the database's IntegrityError like bulk_create would (the caller's
    transaction then rolls the batch back).
    """

    def __init__(
        self,
        model: type[models.Model],
        per_row: Sequence[str],
        constants: dict[str, Any] | None = None,
        *,
        ignore_conflicts: bool = False,
    ) -> None:
        constants = constants or {}
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        names = {f.name for f in fields}
        unknown = (set(per_row) | set(constants)) - names
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {', '.join(sorted(unknown))}")
        self.per_row = list(per_row)
        fixed = [f for f in fields if f.name not in self.per_row]
        # The row's own values first, then the batch's constants, in one tuple per row.
        self.fixed_values = tuple(f.get_db_prep_save(_fixed(f, constants), connection) for f in fixed)
        by_name = {f.name: f for f in fields}
        columns = [_column(by_name[n]) for n in self.per_row] + [_column(f) for f in fixed]
        ops = connection.ops
        on_conflict = OnConflict.IGNORE if ignore_conflicts else None
        self.head = (
            f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(model._meta.db_table)} "
            f"({', '.join(ops.quote_name(c) for c in columns)}) VALUES "
        )
        self.row_sql = f"({', '.join(['%s'] * len(columns))})"
        self.tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
        self.model = model

    def execute(self, rows: Iterable[Sequence[Any]]) -> None:
        fixed = self.fixed_values
        params = [(*row, *fixed) for row in rows]
        if not params:
            return
        if connection.vendor == "postgresql":
            # Django's PostgreSQL cursors bind parameters on the client, so every statement arrives
            # as new text for the server to parse and plan, and executemany sends one per row (3x
            # the server CPU of bulk_create). Here a psycopg RawCursor binds on the server and
            # sends multi-row statements of one shape with $n placeholders (psycopg re-scans a long
            # statement's %s on every call). Same connection, so the same transaction; wrapped
            # like any Django cursor so that query logging and execute_wrappers still see it.
            import psycopg

            connection.ensure_connection()
            # _prepare_cursor is Django's own (private) way to wrap a driver cursor: not in django-stubs.
            raw = psycopg.RawCursor(connection.connection)
            with connection._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
                for start in range(0, len(params), ROWS_PER_STATEMENT):
                    chunk = params[start : start + ROWS_PER_STATEMENT]
                    cursor.execute(self._numbered_sql(len(chunk)), [value for row in chunk for value in row])
            return
        with connection.cursor() as cursor:
            # SQLite compiles the statement once and steps it per row: its fastest path.
            cursor.executemany(f"{self.head}{self.row_sql} {self.tail}".strip(), params)

    def _numbered_sql(self, rows: int) -> str:
        """The statement for ``rows`` rows with PostgreSQL's own $1, $2, ... placeholders."""
        return _numbered_sql(self.head, self.row_sql.count("%s"), self.tail, rows)


@functools.lru_cache(maxsize=16)
def _numbered_sql(head: str, width: int, tail: str, rows: int) -> str:
    values = ", ".join(
        "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(rows)
    )
    return f"{head}{values} {tail}".strip()
