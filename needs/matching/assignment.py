"""Batch assignment for surges (pure: no Django): many needs, many volunteers, least total travel.

``assignment_min_cost`` works on the sparse candidate graph (each need's few eligible volunteers),
never a dense needs-by-volunteers matrix: successive shortest augmenting paths with Dijkstra and
node potentials. It first assigns as many needs as possible, then at the least total distance.
``assignment_exact`` is the O(n^3) Hungarian method on a dense matrix, for checking small cases.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Mapping, Sequence

Edges = Mapping[Hashable, Sequence[tuple[Hashable, float]]]  # need -> [(volunteer, km), ...]


def assignment_greedy(edges: Edges, order: Sequence[Hashable]) -> dict[Hashable, Hashable]:
    """First come, first served: each need in turn takes its nearest volunteer still free."""
    taken: set[Hashable] = set()
    result: dict[Hashable, Hashable] = {}
    for need in order:
        for vol, _km in sorted(edges.get(need, ()), key=lambda e: e[1]):
            if vol not in taken:
                taken.add(vol)
                result[need] = vol
                break
    return result


def assignment_min_cost(edges: Edges) -> dict[Hashable, Hashable]:
    """Maximum number of needs assigned, and among those the least total km (unit capacities)."""
    needs = list(edges)
    vol_index: dict[Hashable, int] = {}
    adj: list[list[tuple[int, float]]] = []
    for need in needs:
        row = []
        for vol, km in edges[need]:
            j = vol_index.setdefault(vol, len(vol_index))
            row.append((j, float(km)))
        adj.append(row)
    n_vol = len(vol_index)
    match_vol = [-1] * n_vol  # volunteer -> need
    match_need = [-1] * len(needs)
    pot_need = [0.0] * len(needs)
    pot_vol = [0.0] * n_vol
    while True:
        # Dijkstra from every free need at once (a super-source), over alternating paths, with
        # potentials keeping reduced costs >= 0. The shortest augmenting path over all free needs
        # keeps the matching the cheapest of its size at every step (successive shortest paths).
        # Free needs are never entered, so their potentials stay equal and start at distance 0.
        dist_vol: dict[int, float] = {}
        prev_vol: dict[int, int] = {}  # volunteer -> the need it was reached from
        dist_need = {i: 0.0 for i in range(len(needs)) if match_need[i] == -1}
        heap: list[tuple[float, int]] = [(0.0, i) for i in dist_need]
        done_need: set[int] = set()
        best_free: tuple[float, int] | None = None
        while heap:
            d, i = heapq.heappop(heap)
            if i in done_need or d > dist_need.get(i, math.inf):
                continue
            if best_free is not None and d >= best_free[0]:
                break
            done_need.add(i)
            for j, km in adj[i]:
                if match_need[i] == j:
                    continue
                nd = d + km + pot_need[i] - pot_vol[j]
                if nd < dist_vol.get(j, math.inf):
                    dist_vol[j] = nd
                    prev_vol[j] = i
                    owner = match_vol[j]
                    if owner == -1:
                        if best_free is None or nd < best_free[0]:
                            best_free = (nd, j)
                    else:
                        # Back along the matched edge to its need: cost -km (reduced cost 0).
                        back = nd - _cost(adj[owner], j) + pot_vol[j] - pot_need[owner]
                        if back < dist_need.get(owner, math.inf):
                            dist_need[owner] = back
                            heapq.heappush(heap, (back, owner))
        if best_free is None:
            break  # no augmenting path: as many needs as possible are assigned
        limit = best_free[0]
        for i, d in dist_need.items():
            pot_need[i] += min(d, limit) - limit
        for j, d in dist_vol.items():
            pot_vol[j] += min(d, limit) - limit
        j = best_free[1]
        while True:
            i = prev_vol[j]
            previous = match_need[i]
            match_need[i], match_vol[j] = j, i
            if previous == -1:
                break
            j = previous
    vols = list(vol_index)
    return {needs[i]: vols[j] for i, j in enumerate(match_need) if j != -1}


def _cost(row: Sequence[tuple[int, float]], j: int) -> float:
    for jj, km in row:
        if jj == j:
            return km
    raise KeyError(j)


def assignment_total(edges: Edges, assignment: Mapping[Hashable, Hashable]) -> float:
    lookup = {(n, v): km for n, row in edges.items() for v, km in row}
    return sum(lookup[(n, v)] for n, v in assignment.items())


def assignment_exact(cost: Sequence[Sequence[float]]) -> tuple[float, list[int]]:
    """Hungarian method (rows <= columns): the least total cost and each row's column. O(n^2 m)."""
    n, m = len(cost), len(cost[0]) if cost else 0
    u, v, p, way = [0.0] * (n + 1), [0.0] * (m + 1), [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv, used = [math.inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    rows = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            rows[p[j] - 1] = j - 1
    return sum(cost[i][rows[i]] for i in range(n)), rows
