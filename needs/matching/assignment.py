"""Batch assignment for surges (pure: no Django): many needs, many volunteers, least total travel.

``assignment_min_cost`` works on the sparse candidate graph (each need's few eligible volunteers),
never a dense needs-by-volunteers matrix: scipy's ``min_weight_full_bipartite_matching`` (LAPJVsp,
in C) on a sparse matrix whose size is the number of edges. It first assigns as many needs as
possible, then at the least total distance.
``assignment_exact`` is the Hungarian method on a dense matrix (scipy's ``linear_sum_assignment``),
for checking: small cases in the tests, the benchmark's reference optimum.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

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
    """Maximum number of needs assigned, and among those the least total km (unit capacities).

    A full matching of the needs may not exist (two needs whose only candidate is the same
    person), so every need also gets a private "nobody" column costing more than any whole real
    assignment could: the solver then leaves a need unassigned only when it must, and the most
    needs are assigned before any km is saved. Every weight is shifted by +1 because the sparse
    solver reads a stored zero as a missing edge; each need takes exactly one column, so the shift
    adds the same constant to every full matching and changes nothing else.
    """
    needs = list(edges)
    if not needs:
        return {}
    vol_index: dict[Hashable, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    kms: list[float] = []
    for i, need in enumerate(needs):
        for vol, km in edges[need]:
            rows.append(i)
            cols.append(vol_index.setdefault(vol, len(vol_index)))
            kms.append(float(km))
    n, m = len(needs), len(vol_index)
    weights = np.asarray(kms, dtype=np.float64) + 1.0
    # Larger than the sum of every need's dearest edge: one more need assigned beats any saving.
    nobody = float(weights.sum()) + 1.0 if len(weights) else 1.0
    rows_all = np.concatenate([np.asarray(rows, dtype=np.int64), np.arange(n)])
    cols_all = np.concatenate([np.asarray(cols, dtype=np.int64), m + np.arange(n)])
    data = np.concatenate([weights, np.full(n, nobody)])
    graph = csr_array((data, (rows_all, cols_all)), shape=(n, m + n))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    vols = list(vol_index)
    return {needs[i]: vols[j] for i, j in zip(row_ind.tolist(), col_ind.tolist(), strict=True) if j < m}


def assignment_total(edges: Edges, assignment: Mapping[Hashable, Hashable]) -> float:
    lookup = {(n, v): km for n, row in edges.items() for v, km in row}
    return sum(lookup[(n, v)] for n, v in assignment.items())


def assignment_exact(cost: Sequence[Sequence[float]] | np.ndarray) -> tuple[float, list[int]]:
    """Hungarian method (rows <= columns): the least total cost and each row's column."""
    matrix = np.asarray(cost, dtype=np.float64)
    if matrix.size == 0:
        return 0.0, []
    row_ind, col_ind = linear_sum_assignment(matrix)
    rows = [-1] * matrix.shape[0]
    for i, j in zip(row_ind.tolist(), col_ind.tolist(), strict=True):
        rows[i] = j
    return float(matrix[row_ind, col_ind].sum()), rows
