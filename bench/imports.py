"""Benchmark import_volunteers: a 2020-style spreadsheet of N rows into an empty register, then again.

    python -m bench.imports --rows 100000 --seed 2020 [--database-url URL] [--json PATH]

Writes a messy but mostly good file (a BOM, headers in mixed case, every way of writing a UK
mobile, 10% located by latitude/longitude, 1% bad rows, 1% duplicate lines, blank rows, group
memberships) to a temporary directory, loads 3,000 synthetic West Midlands postcodes and 50 groups
into a fresh database (an SQLite file by default; with --database-url, the database it names, which
must be empty or disposable), then times the whole import as the command runs it (reading,
checking, geocoding, writing in batches) and then the second, unchanged import of the same file.

Prints one JSON object: rows, seconds (wall clock), rows_per_second, cpu_seconds (this process,
which includes SQLite but not a PostgreSQL server), server_cpu_seconds (PostgreSQL's backend for
this connection, when the server runs on this machine), load_average, created, rejected,
duplicates, second_seconds, second_cpu_seconds, second_server_cpu_seconds, second_unchanged;
writes it to --json PATH too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TOWNS = [  # (lat, lon, district prefix, local authority)
    (52.4796, -1.9026, "B", "Birmingham"),
    (52.4068, -1.5197, "CV", "Coventry"),
    (52.5862, -2.1288, "WV", "Wolverhampton"),
    (52.5123, -2.0811, "DY", "Dudley"),
    (52.5860, -1.9829, "WS", "Walsall"),
    (52.5187, -1.9945, "B7", "Sandwell"),
    (52.4128, -1.7781, "B9", "Solihull"),
]
SKILLS = ["shopping", "driving", "cooking", "befriending", "prescriptions", "dog walking", "digital"]
LANGUAGES = ["English", "Punjabi", "Urdu", "pl", "Bengali", "ro", "so"]


def _phone(i: int, rng: random.Random) -> str:
    digits = f"7400{i:06d}"  # 07400 xxxxxx: a valid UK mobile range, never texted by a benchmark
    style = rng.randrange(6)
    if style == 0:
        return f"0{digits[:4]} {digits[4:]}"
    if style == 1:
        return f"0{digits}"
    if style == 2:
        return f"+44{digits}"
    if style == 3:
        return f"+44 (0){digits[:4]} {digits[4:7]} {digits[7:]}"
    if style == 4:
        return f"0044 {digits}"
    return f"0{digits[:4]}-{digits[4:7]}-{digits[7:]}"


def _postcodes(rng: random.Random) -> list[tuple[str, float, float, str]]:
    rows = []
    seen = set()
    while len(rows) < 3000:
        lat, lon, prefix, la = rng.choice(TOWNS)
        district = f"{prefix}{rng.randint(1, 9)}" if len(prefix) == 1 else prefix + str(rng.randint(0, 9))
        code = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        if code in seen:
            continue
        seen.add(code)
        rows.append((code, lat + rng.gauss(0, 0.03), lon + rng.gauss(0, 0.045), la))
    return rows


def file_write(path: Path, *, rows: int, seed: int, postcodes, group_slugs) -> None:
    rng = random.Random(seed)
    lines = ["\ufeff Name ,PHONE,Postcode,Latitude,Longitude,Skills,Languages,DBS,Has Car,Groups"]
    written = 0
    i = 0
    while written < rows:
        roll = rng.random()
        if roll < 0.01:
            lines.append(f"Bad Row {i},0121 496 {i % 10000:04d},B1 1AA,,,,,,,")  # a landline: rejected
        elif roll < 0.02 and i > 10:
            j = rng.randrange(i)  # the same person again, further down the sheet
            lines.append(f"Again {j},{_phone(j, rng)},{rng.choice(postcodes)[0]},,,,,,,")
        else:
            name = f"Volunteer {i}"
            if rng.random() < 0.1:
                lat, lon = rng.choice(postcodes)[1:3]
                place = f",{lat:.5f},{lon:.5f}"
            else:
                place = f"{rng.choice(postcodes)[0].lower()},,"
            skills = ";".join(rng.sample(SKILLS, rng.randint(0, 3)))
            langs = ";".join(rng.sample(LANGUAGES, rng.randint(0, 2)))
            dbs = rng.choice(["", "none", "basic", "enhanced", "Enhanced "])
            car = rng.choice(["", "yes", "no", "Y"])
            groups = ";".join(rng.sample(group_slugs, rng.choice([0, 0, 1, 1, 2])))
            lines.append(f'"{name}",{_phone(i, rng)},{place},{skills},{langs},{dbs},{car},{groups}')
            i += 1
        written += 1
        if rng.random() < 0.002:
            lines.append(",,,,,,,,,")  # a blank row
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def server_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs on this
    machine (its process is readable in /proc); None for SQLite (which runs inside this process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _minus(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else round(after - before, 2)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--database-url")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="rekindle_bench_imports_"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from volunteers.importing.volunteer_import import volunteers_import
    from volunteers.models import LocalAuthority, MutualAidGroup, Postcode

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    councils = {la.name: la for la in LocalAuthority.objects.all()}
    postcodes = _postcodes(rng)
    Postcode.objects.bulk_create(
        [
            Postcode(
                postcode=c, district=c.split()[0], latitude=lat, longitude=lon, local_authority=councils[la]
            )
            for c, lat, lon, la in postcodes
        ],
        ignore_conflicts=True,
    )
    slugs = [f"bench-group-{n}" for n in range(50)]
    for n, slug in enumerate(slugs):
        lat, lon, _p, la = TOWNS[n % len(TOWNS)]
        group = MutualAidGroup(name=slug, slug=slug, local_authority=councils[la])
        group.set_location(lat, lon)
        group.save()

    path = workdir / "volunteers.csv"
    file_write(path, rows=args.rows, seed=args.seed, postcodes=postcodes, group_slugs=slugs)

    server_started = server_cpu_seconds()
    started, cpu_started = time.perf_counter(), time.process_time()
    first = volunteers_import(data=path.read_bytes(), source=path.name, progress=sys.stderr)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    server_between = server_cpu_seconds()
    started, cpu_started = time.perf_counter(), time.process_time()
    second = volunteers_import(data=path.read_bytes(), source=path.name, progress=sys.stderr)
    second_seconds, second_cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    server_ended = server_cpu_seconds()

    result = {
        "rows": first.rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(first.rows / seconds),
        # CPU time of this process (SQLite runs inside it): the figure when other work shares the CPUs.
        "cpu_seconds": round(cpu_seconds, 2),
        # PostgreSQL's own CPU for this connection (its backend process), not counted above.
        "server_cpu_seconds": _minus(server_between, server_started),
        "load_average": round(os.getloadavg()[0], 1),
        "created": first.created,
        "rejected": len(first.rejected),
        "duplicates": len(first.duplicates),
        "memberships": first.memberships_created,
        "second_seconds": round(second_seconds, 2),
        "second_cpu_seconds": round(second_cpu_seconds, 2),
        "second_server_cpu_seconds": _minus(server_ended, server_between),
        "second_unchanged": second.unchanged,
        "second_created": second.created,
        "second_updated": second.updated,
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
    }
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if not args.database_url:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    return result


if __name__ == "__main__":
    main()
