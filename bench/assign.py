"""Benchmark batch assignment: M needs, N volunteers, least total travel.

    python -m bench.assign --needs M --volunteers N --seed S [--neighbours K] [--json PATH]

Places needs and volunteers in the synthetic West Midlands of bench.matcher and compares:
- ``assigned_km``: the service's min-cost assignment on the sparse candidate graph (each need's
  K nearest volunteers, K=10 by default; memory grows with M*K, never M*N);
- ``greedy_km``: first come, first served, each need taking its nearest free volunteer;
- ``optimal_km``: the exact optimum over every pair, by the Hungarian method on the dense matrix
  when M*N <= 2,000,000 (small cases); above that, the same min-cost algorithm on a graph 5x wider
  (K*5 nearest), which is reported as ``optimal_method`` "wide-graph" and is an upper bound on
  the true optimum, not a proof.
``quality_ratio`` is assigned/optimal. Pure Python, no database.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

from bench.matcher import _point
from needs.matching.assignment import (
    assignment_exact,
    assignment_greedy,
    assignment_min_cost,
    assignment_total,
)
from volunteers.geography import haversine_km

DENSE_LIMIT = 2_000_000


def _nearest_graph(needs, vols, k: int) -> dict[int, list[tuple[int, float]]]:
    """Each need's k nearest volunteers, through a 0.01-degree grid searched in growing rings."""
    grid: dict[tuple[int, int], list[int]] = {}
    for j, (lat, lon) in enumerate(vols):
        grid.setdefault((int(lat * 100), int(lon * 100)), []).append(j)
    edges = {}
    for i, (lat, lon) in enumerate(needs):
        ci, cj = int(lat * 100), int(lon * 100)
        found: list[tuple[float, int]] = []
        r = 0
        while True:
            for a in range(ci - r, ci + r + 1):
                for b in range(cj - r, cj + r + 1):
                    if max(abs(a - ci), abs(b - cj)) == r:
                        found.extend((haversine_km(lat, lon, *vols[j]), j) for j in grid.get((a, b), ()))
            # A ring of r cells is at least r * 0.01 degrees (>= 0.67 km here) away in every direction.
            if (len(found) >= k and sorted(found)[k - 1][0] <= r * 0.67) or r > 200:
                break
            r += 1
        found.sort()
        edges[i] = [(j, d) for d, j in found[:k]]
    return edges


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
    assigned = assignment_min_cost(edges)
    seconds = time.perf_counter() - t0
    greedy = assignment_greedy(edges, list(range(args.needs)))

    if args.needs * args.volunteers <= DENSE_LIMIT and args.needs <= args.volunteers:
        method = "hungarian-dense"
        cost = [[haversine_km(*n, *v) for v in vols] for n in needs]
        optimal_km, _rows = assignment_exact(cost)
    else:
        method = "wide-graph"
        wide = _nearest_graph(needs, vols, args.neighbours * 5)
        optimal_km = assignment_total(wide, assignment_min_cost(wide))
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
