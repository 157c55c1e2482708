"""The exact search and the integer programme (HiGHS) on the same random components, by how large the values run.

    python benchmarks/bench_solvers.py                      # 200 components per scale, seed 1
    python benchmarks/bench_solvers.py --n 500 --seed 3 --scales 1500,15000

Each component is shaped as a real table makes one (``repair.py``'s unit of joint repair): 6-14 cells, 2-5
unreadable (3-7 at the larger scales), bound by 3-8 relations of 2-5 cells with coefficients +-1, consistent at the
truth but for at most one misprint; 1-5 candidates per readable cell (the truth, a digit more or less, ten or a
hundred off, 0) with random probabilities; a random choice forbidden half the time (the conflict check). The truth
draws from values up to the scale. ``solve.FreeSearch`` (exact; a component it cannot finish in 200,000 nodes is
skipped) and ``solve.solve_milp`` (no node limit) answer each.

Figures per scale: components both answered; components where HiGHS's answer failed its checks (a relation it
counts as held broken, a forbidden value taken, a false "infeasible": ``RuntimeError``), and of those how many
``solve.Solver`` answers exactly all the same (it tries the search once more, with
``RepairOptions.unsound_search_node_limit`` nodes; what it cannot answer, repair meets by solving over fewer
candidates or keeping the readings, with a warning); and answers that pass the checks yet differ from the search's
optimum by more than 1e-6 (silent: a repair or a conflict verdict could rest on them).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govreport.postprocess import solve
from govreport.postprocess.repair import RepairOptions


def component(rng: random.Random, scale: int) -> tuple[solve.Problem, solve.Forbid | None]:
    m, q = rng.randint(6, 14), rng.randint(3, 8)
    coef = np.zeros((q, m))
    for row in range(q):
        for i in rng.sample(range(m), rng.randint(2, min(m, 5))):
            coef[row, i] = rng.choice((1.0, -1.0))
    few = 2 if scale <= 1500 else 3
    free = [False] * m
    for i in rng.sample(range(m), rng.randint(few, min(few + 3, m - 1))):
        free[i] = True
    pool = (0, 0, 1, 2, 5, 12, max(1, scale // 40), max(1, scale // 12), scale)
    truth = [rng.choice(pool) for _ in range(m)]
    const = -(coef @ np.array(truth, dtype=float))
    for row in rng.sample(range(q), rng.randint(0, 1)):
        const[row] += rng.choice((1.0, -3.0, 10.0))
    values, logp = [], []
    for i in range(m):
        if free[i]:
            values.append(np.array([]))
            logp.append(np.array([]))
            continue
        others = {truth[i] + rng.choice((1, -1, 10, 100, -truth[i])) for _ in range(rng.randint(0, 4))}
        vals = [truth[i], *(v for v in others if v >= 0 and v != truth[i])]
        rng.shuffle(vals)
        probs = np.array(sorted((rng.random() + 0.01 for _ in vals), reverse=True))
        values.append(np.array(vals, dtype=float))
        logp.append(np.log(probs / probs.sum()))
    problem = solve.Problem(keys=[str(i) for i in range(m)], values=values, logp=logp, free=free,
                            rel_ids=[str(r) for r in range(q)], coef=coef, const=const, penalty=6.0, tol=0.005,
                            free_logp=-9.2)
    cell = rng.randrange(m)
    if rng.random() < 0.5:
        return problem, None
    if free[cell]:
        return problem, solve.Forbid(cell, rng.randint(0, 3))
    if len(values[cell]) < 2:
        return problem, None
    return problem, solve.Forbid(cell, rng.randrange(len(values[cell])))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="components per scale")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scales", default="1500,15000,250000", help="largest value drawn, comma-separated")
    args = ap.parse_args(argv)
    for scale in (int(s) for s in args.scales.split(",")):
        rng = random.Random(args.seed * 1_000_003 + scale)
        answered = failed = recovered = silent = skipped = 0
        worst = 0.0
        t_search = t_milp = 0.0
        for _ in range(args.n):
            problem, forbid = component(rng, scale)
            t0 = time.perf_counter()
            try:
                by_search = solve.FreeSearch(problem, forbid, 200_000).run()
            except solve.NodeLimit:
                skipped += 1
                continue
            t1 = time.perf_counter()
            try:
                by_milp = solve.solve_milp(problem, forbid, 30.0)
            except RuntimeError:
                failed += 1
                try:  # as repair asks it: straight to HiGHS, then the search once more where HiGHS fails
                    retried = solve.Solver(problem, RepairOptions(node_limit=1, max_enumeration=1)).best(forbid)
                except RuntimeError:
                    continue
                same = (retried is None) == (by_search is None) and (
                    retried is None or by_search is None or abs(retried.objective - by_search.objective) <= 1e-6)
                recovered += same
                continue
            finally:
                t_search += t1 - t0
                t_milp += time.perf_counter() - t1
            answered += 1
            if (by_search is None) != (by_milp is None):
                silent += 1
            elif by_search is not None and by_milp is not None:
                gap = abs(by_search.objective - by_milp.objective)
                if gap > 1e-6:
                    silent += 1
                    worst = max(worst, gap)
        tried = args.n - skipped
        print(f"values to {scale:>7,}: {tried} components (skipped {skipped}: the search ran out of nodes); "
              f"HiGHS failed its checks on {failed} ({100 * failed / max(tried, 1):.1f}%; the search's second try "
              f"answered {recovered} of them exactly); "
              f"answered otherwise than the search on {silent} of {answered} (largest gap {worst:.3f}); "
              f"ms per component: search {1000 * t_search / max(tried, 1):.1f}, "
              f"HiGHS {1000 * t_milp / max(tried, 1):.1f}", flush=True)


if __name__ == "__main__":
    main()
