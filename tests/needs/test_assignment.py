"""Batch assignment against a brute-force optimum on small cases."""

import itertools
import random

import pytest

from needs.matching.assignment import (
    assignment_exact,
    assignment_greedy,
    assignment_min_cost,
    assignment_total,
)


def brute_force(edges):
    """The most needs assigned, then the least total km, by trying every combination."""
    needs = list(edges)
    best = (0, 0.0)
    for choice in itertools.product(*[[None, *[v for v, _ in edges[n]]] for n in needs]):
        used = [v for v in choice if v is not None]
        if len(used) != len(set(used)):
            continue
        km = sum(dict(edges[n])[v] for n, v in zip(needs, choice, strict=True) if v is not None)
        if (len(used), -km) > (best[0], -best[1]):
            best = (len(used), km)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_min_cost_equals_brute_force_on_small_random_graphs(seed):
    rng = random.Random(seed)
    vols = [f"v{j}" for j in range(rng.randint(2, 6))]
    edges = {
        f"n{i}": [(v, round(rng.uniform(0.1, 5), 2)) for v in rng.sample(vols, rng.randint(1, len(vols)))]
        for i in range(rng.randint(1, 5))
    }
    got = assignment_min_cost(edges)
    assert len(set(got.values())) == len(got)
    count, km = brute_force(edges)
    assert len(got) == count
    assert assignment_total(edges, got) == pytest.approx(km)


def test_greedy_first_come_can_be_worse_and_min_cost_fixes_it():
    # n1 comes first and grabs v1, leaving n2 a long trip; the optimum swaps them.
    edges = {"n1": [("v1", 1.0), ("v2", 1.2)], "n2": [("v1", 1.1), ("v2", 9.0)]}
    greedy = assignment_greedy(edges, ["n1", "n2"])
    best = assignment_min_cost(edges)
    assert assignment_total(edges, greedy) == pytest.approx(10.0)
    assert best == {"n1": "v2", "n2": "v1"} and assignment_total(edges, best) == pytest.approx(2.3)


def test_hungarian_matches_brute_force():
    rng = random.Random(3)
    cost = [[rng.uniform(0, 10) for _ in range(5)] for _ in range(4)]
    total, rows = assignment_exact(cost)
    brute = min(sum(cost[i][p[i]] for i in range(4)) for p in itertools.permutations(range(5), 4))
    assert total == pytest.approx(brute) and len(set(rows)) == 4
