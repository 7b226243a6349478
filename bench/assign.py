"""Benchmark batch assignment: M needs, N volunteers, least total travel.

    python -m bench.assign --needs M --volunteers N --seed S [--neighbours K] [--json PATH]

Places needs and volunteers in the synthetic West Midlands of bench.matcher and compares:
- ``assigned_km``: the service's min-cost assignment on the sparse candidate graph (each need's
  K nearest volunteers, K=10 by default; memory grows with M*K, never M*N);
- ``greedy_km``: first come, first served, each need taking its nearest free volunteer;
- ``optimal_km``: the exact optimum over every pair, by the Hungarian method (scipy's
  ``linear_sum_assignment``) on the dense needs-by-volunteers distance matrix: a reference built
  here only, never by the service (2,000 x 20,000 is 320 MB of float64); above DENSE_LIMIT pairs
  it falls back to the same sparse solver on a graph 5x wider (``optimal_method`` "wide-graph", an
  upper bound on the true optimum, not a proof).
``quality_ratio`` is assigned/optimal. ``seconds`` is the service's part (the neighbour graph and
the solve); ``solve_seconds`` the solve alone. No database.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from bench.matcher import _point
from needs.matching.assignment import (
    assignment_exact,
    assignment_greedy,
    assignment_min_cost,
    assignment_total,
)

DENSE_LIMIT = 50_000_000  # pairs: 400 MB of float64 for the reference only


def _project(points) -> np.ndarray:
    """Local flat km coordinates (good to well under 1% across one region) for the tree search."""
    arr = np.asarray(points, dtype=np.float64)
    lat0 = math.radians(float(arr[:, 0].mean()))
    return np.column_stack([arr[:, 0] * 111.32, arr[:, 1] * 111.32 * math.cos(lat0)])


def _haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _nearest_graph(needs, vols, k: int) -> dict[int, list[tuple[int, float]]]:
    """Each need's k nearest volunteers (k-d tree on projected km, a few spare, then haversine)."""
    spare = min(len(vols), k + 5)
    _d, idx = cKDTree(_project(vols)).query(_project(needs), k=spare)
    idx = np.asarray(idx).reshape(len(needs), spare)
    n_arr, v_arr = np.asarray(needs), np.asarray(vols)
    km = _haversine(n_arr[:, [0]], n_arr[:, [1]], v_arr[idx, 0], v_arr[idx, 1])
    order = np.argsort(km, axis=1)[:, :k]
    return {i: [(int(idx[i, c]), float(km[i, c])) for c in order[i]] for i in range(len(needs))}


def _dense_optimum(needs, vols) -> float:
    n_arr, v_arr = np.asarray(needs), np.asarray(vols)
    cost = _haversine(n_arr[:, [0]], n_arr[:, [1]], v_arr[None, :, 0], v_arr[None, :, 1])
    total, _rows = assignment_exact(cost)
    return total


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, required=True)
    parser.add_argument("--volunteers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--neighbours", type=int, default=10)
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    needs = [_point(rng) for _ in range(args.needs)]
    vols = [_point(rng) for _ in range(args.volunteers)]

    t0 = time.perf_counter()
    edges = _nearest_graph(needs, vols, args.neighbours)
    t1 = time.perf_counter()
    assigned = assignment_min_cost(edges)
    seconds = time.perf_counter() - t0
    solve_seconds = time.perf_counter() - t1
    # Memory of the service's part alone, in a second pass (tracing slows the timed one).
    tracemalloc.start()
    assignment_min_cost(_nearest_graph(needs, vols, args.neighbours))
    service_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    greedy = assignment_greedy(edges, list(range(args.needs)))

    t2 = time.perf_counter()
    if args.needs * args.volunteers <= DENSE_LIMIT and args.needs <= args.volunteers:
        method = "hungarian-dense"
        optimal_km = _dense_optimum(needs, vols)
    else:
        method = "wide-graph"
        wide = _nearest_graph(needs, vols, args.neighbours * 5)
        optimal_km = assignment_total(wide, assignment_min_cost(wide))
    optimal_seconds = time.perf_counter() - t2
    assigned_km = assignment_total(edges, assigned)
    greedy_km = assignment_total(edges, greedy)
    result = {
        "needs": args.needs,
        "volunteers": args.volunteers,
        "neighbours": args.neighbours,
        "optimal_km": round(optimal_km, 3),
        "optimal_method": method,
        "assigned_km": round(assigned_km, 3),
        "assigned_count": len(assigned),
        "greedy_km": round(greedy_km, 3),
        "greedy_count": len(greedy),
        "quality_ratio": round(assigned_km / optimal_km, 4) if optimal_km else math.nan,
        "seconds": round(seconds, 3),
        "solve_seconds": round(solve_seconds, 3),
        "optimal_seconds": round(optimal_seconds, 3),
        "service_peak_mb": round(service_peak_mb, 1),
    }
    if len(assigned) < args.needs:
        print(
            f"note: {args.needs - len(assigned)} needs had no free volunteer among their neighbours",
            file=sys.stderr,
        )
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
