"""Upgrades: today's migrations, applied to a database made and filled by the first release.

The first release (495f424) is taken from git history into a temporary directory; ITS manage.py
migrates a fresh database and seeds the demo region into it. Rows are counted per table and key rows
sampled; then THIS tree's ``migrate`` runs on the same database. Nothing may be lost or changed,
columns added since hold their defaults, and ``makemigrations --check`` finds nothing to write.
SQLite always; PostgreSQL too when the run's DATABASE_URL is PostgreSQL (a fresh database).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import NOT_PROVIDED, BooleanField, JSONField

from tests.reliability.security_support import ROOT, database_url

pytestmark = pytest.mark.reliability

FIRST_RELEASE = "495f424"
# Key rows, by primary key: what a person would miss if an upgrade mangled it.
SAMPLES = {
    "volunteers_volunteer": ["name", "phone", "latitude", "longitude", "status", "skills", "dbs_level"],
    "volunteers_mutualaidgroup": ["name", "slug", "status", "latitude", "longitude", "notes"],
    "volunteers_organisation": ["name", "slug", "kind"],
    "volunteers_membership": ["volunteer_id", "group_id", "role"],
    "needs_need": ["ref", "summary", "requester_name", "requester_phone", "requester_address", "status"],
    "auth_user": ["username", "password", "is_superuser"],
    "volunteers_staffrole": ["user_id", "organisation_id", "role"],
    "reactivation_playbookversion": ["playbook_id", "number", "templates", "wave_rules"],
    "volunteers_postcode": ["latitude", "longitude"],
}


def _run(args: list[str], *, cwd: Path, db_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DATABASE_URL": db_url, "DEBUG": "true", "SMS_BACKEND": "console", "PYTHONPATH": str(cwd)})
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} in {cwd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def first_release(tmp_path_factory) -> Path:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("no git history here: the upgrade test rebuilds the first release from it")
    known = subprocess.run(  # noqa: S603
        [git, "cat-file", "-e", f"{FIRST_RELEASE}^{{commit}}"], cwd=ROOT, capture_output=True, check=False
    )
    if known.returncode != 0:
        pytest.skip(
            f"commit {FIRST_RELEASE} (the first release) is not in this clone (shallow?): git fetch --unshallow"
        )
    target = tmp_path_factory.mktemp("first-release")
    archive = subprocess.run(  # noqa: S603
        [git, "archive", "--format=tar", FIRST_RELEASE], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)  # noqa: S603, S607
    return target


class Snapshot:
    """Row counts per table, sampled rows and column names, read with the driver alone (no Django)."""

    def __init__(self, db_url: str):
        self.db_url = db_url

    def _query(self, sql: str, params=()) -> list[tuple]:
        if self.db_url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.db_url.removeprefix("sqlite:///")) as conn:
                return conn.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.db_url.replace("postgres://", "postgresql://", 1)) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def tables(self) -> list[str]:
        if self.db_url.startswith("sqlite"):
            sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"
        return sorted(r[0] for r in self._query(sql))

    def columns(self, table: str) -> list[str]:
        if self.db_url.startswith("sqlite"):
            return [r[1] for r in self._query(f'PRAGMA table_info("{table}")')]
        return [
            r[0]
            for r in self._query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                (table,),
            )
        ]

    def counts(self) -> dict[str, int]:
        return {t: self._query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in self.tables()}  # noqa: S608

    def rows(self, table: str, columns: list[str]) -> dict:
        key = "postcode" if table == "volunteers_postcode" else "id"
        cols = ", ".join(f'"{c}"' for c in [key, *columns])
        return {r[0]: r[1:] for r in self._query(f'SELECT {cols} FROM "{table}"')}  # noqa: S608

    def values(self, table: str, column: str) -> list:
        return [r[0] for r in self._query(f'SELECT "{column}" FROM "{table}"')]  # noqa: S608


def _field_for(table: str, column: str):
    for model in apps.get_models():
        if model._meta.db_table == table:
            for field in model._meta.concrete_fields:
                if field.column == column:
                    return field
    return None


def _as_python(field, value):
    if isinstance(field, JSONField) and isinstance(value, str):
        return json.loads(value)
    if isinstance(field, BooleanField) and value is not None:
        return bool(value)
    return value


def _upgrade_and_compare(first_release: Path, db_url: str) -> dict:
    _run(["migrate", "--noinput"], cwd=first_release, db_url=db_url)
    seeded = _run(
        ["seed_demo", "--volunteers", "200", "--groups", "14", "--needs", "5"],
        cwd=first_release,
        db_url=db_url,
    )
    assert "200 volunteers" in seeded
    snap = Snapshot(db_url)
    before_counts = snap.counts()
    before_columns = {t: snap.columns(t) for t in before_counts}
    before_rows = {t: snap.rows(t, cols) for t, cols in SAMPLES.items()}
    assert before_counts["volunteers_volunteer"] == 200
    assert before_counts["volunteers_mutualaidgroup"] == 14
    assert before_counts["needs_need"] == 5

    applied = _run(["migrate", "--noinput"], cwd=ROOT, db_url=db_url)
    assert "Applying" in applied  # there was something to upgrade

    after_counts = snap.counts()
    # Every old table is still there with every row; django_q's schedules and the migration ledger
    # grow by design, so they are compared for "nothing lost" only.
    growing = {"django_migrations", "django_q_schedule", "django_content_type", "auth_permission"}
    lost = {t: (n, after_counts.get(t)) for t, n in before_counts.items() if after_counts.get(t, -1) < n}
    assert lost == {}
    changed = {
        t: (n, after_counts[t]) for t, n in before_counts.items() if t not in growing and after_counts[t] != n
    }
    assert changed == {}
    for table, cols in SAMPLES.items():
        assert snap.rows(table, cols) == before_rows[table], f"rows of {table} changed"
    # Columns added since the first release hold their defaults on the old rows.
    added = []
    for table, old_cols in before_columns.items():
        for column in sorted(set(snap.columns(table)) - set(old_cols)):
            field = _field_for(table, column)
            if field is None or before_counts[table] == 0:
                continue
            values = {json.dumps(_as_python(field, v), sort_keys=True) for v in snap.values(table, column)}
            if field.default is not NOT_PROVIDED and not callable(field.default):
                expected = field.default
            elif field.null:
                expected = None
            else:
                continue  # a callable default (a time, a token): each row has its own
            assert values == {json.dumps(expected, sort_keys=True)}, f"{table}.{column} is {values}"
            added.append(f"{table}.{column}")
    check = _run(["makemigrations", "--check", "--dry-run"], cwd=ROOT, db_url=db_url)
    assert "No changes detected" in check
    return {"tables": len(before_counts), "rows": sum(before_counts.values()), "added": added}


def test_first_release_sqlite_database_upgrades_with_nothing_lost(first_release, tmp_path):
    report = _upgrade_and_compare(first_release, f"sqlite:///{tmp_path / 'first-release.sqlite3'}")
    assert report["rows"] > 2000  # 200 volunteers, their memberships, postcodes, playbooks...
    assert "volunteers_volunteer.erased_at" in report["added"]  # a column added since, checked


@pytest.mark.django_db
def test_first_release_postgresql_database_upgrades_with_nothing_lost(first_release):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the PostgreSQL upgrade runs when DATABASE_URL is PostgreSQL (the SQLite one always runs)"
        )
    import psycopg

    name = f"rekindle_upgrade_{uuid.uuid4().hex[:10]}"
    admin_url = database_url(connection).rsplit("/", 1)[0] + "/postgres"
    admin_url = admin_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        report = _upgrade_and_compare(first_release, database_url(connection).rsplit("/", 1)[0] + "/" + name)
        assert report["rows"] > 2000
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
