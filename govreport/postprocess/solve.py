"""Exact solvers for the optimisation problem of one component of repair (``repair.py``).

A component is a set of unsure cells linked through enforced sum relations. Each cell chooses one of its candidate
values (with a log-probability), or, where unreadable, a free non-negative integer at a constant prior; each broken
relation costs ``penalty``. The optimum (and the optimum with one choice forbidden, for the conflict check) is found
by enumeration (small components, ``Enumerator``), by branch and bound over the broken relations (``Search``; with
two or more unreadable cells ``FreeSearch``), or as an integer programme with HiGHS (``solve_milp``); ``Solver``
picks among them by the component's size and falls back to HiGHS where a search outgrows its node limit, and to
the search again, with more room, where HiGHS's answer fails the checks made on it (``Unsound``).
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from govreport.postprocess.candidates import Number

if TYPE_CHECKING:
    from govreport.postprocess.repair import RepairOptions


@dataclass
class Problem:
    keys: list[str]  # variable cells
    values: list[np.ndarray]  # candidate values per cell (empty for a free cell)
    logp: list[np.ndarray]
    free: list[bool]  # unreadable cells: a free non-negative integer
    rel_ids: list[str]
    coef: np.ndarray  # (relations, cells): +1 left-hand side, -1 right-hand side
    const: np.ndarray  # (relations,): fixed cells' left minus right
    penalty: float
    tol: float
    free_logp: float

    @property
    def size(self) -> int:
        return math.prod(len(v) for v in self.values)


@dataclass(frozen=True)
class Solution:
    objective: float
    choice: tuple[int, ...]  # candidate index per cell (-1 for a free cell)
    free_value: tuple[int, ...]  # value per cell (0 where not free)

    def value(self, p: Problem, i: int) -> Number:
        return self.free_value[i] if p.free[i] else _as_number(p.values[i][self.choice[i]])

    def same(self, p: Problem, i: int, other: Solution) -> bool:
        return self.value(p, i) == other.value(p, i)


@dataclass(frozen=True)
class Forbid:
    cell: int
    index: int  # candidate index, or the value for a free cell


def _as_number(v: float) -> Number:
    f = float(v)
    return int(f) if f.is_integer() else f


class Enumerator:
    """Every joint assignment of a component, scored at once (exact)."""

    def __init__(self, p: Problem) -> None:
        shape = [len(v) for v in p.values]
        grid = np.indices(shape).reshape(len(shape), -1)  # (cells, assignments)
        vals = np.stack([p.values[i][grid[i]] for i in range(len(shape))])
        logp = np.sum([p.logp[i][grid[i]] for i in range(len(shape))], axis=0)
        residual = p.const[:, None] + p.coef @ vals
        broken = (np.abs(residual) > p.tol).sum(axis=0)
        self.grid = grid
        self.scores = logp - p.penalty * broken

    def best(self, forbid: Forbid | None = None) -> Solution | None:
        scores = self.scores
        if forbid is not None:
            scores = np.where(self.grid[forbid.cell] == forbid.index, -np.inf, scores)
        j = int(np.argmax(scores))
        if not np.isfinite(scores[j]):
            return None
        choice = tuple(int(c) for c in self.grid[:, j])
        return Solution(float(scores[j]), choice, (0,) * len(choice))


_STDOUT_LOCK = threading.Lock()


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 while HiGHS runs: scipy's HiGHS (1.12) prints a debugging line from its MIP heuristics
    to stdout whatever its options say, which would corrupt a report written to stdout. Other threads' writes to
    stdout in that window are lost too; govreport's pipeline does not print from threads."""
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


class Unsound(RuntimeError):
    """HiGHS answered what cannot be: its tolerances, times a big-M, let a relation open or a forbidden value in."""


def solve_milp(p: Problem, forbid: Forbid | None, time_limit: float, node_limit: int | None = None) -> Solution | None:
    """The optimum as an integer programme (HiGHS). None where ``forbid`` takes a cell's one candidate; raises
    RuntimeError where HiGHS fails, ``Unsound`` where it answers what cannot be (no assignment, a relation it
    miscounts, a forbidden value)."""
    n_cells, n_rel = len(p.keys), len(p.rel_ids)
    offsets: list[int] = []
    n = 0
    for i in range(n_cells):
        offsets.append(n)
        n += 1 if p.free[i] else len(p.values[i])
    z0 = n
    n += n_rel
    w = n if forbid is not None and p.free[forbid.cell] else -1
    n += 1 if w >= 0 else 0

    upper = free_bound(p)
    c = np.zeros(n)
    lb, ub = np.zeros(n), np.ones(n)
    for i in range(n_cells):
        o = offsets[i]
        if p.free[i]:
            c[o] = 1e-7  # the prior of an implied value is a constant (added below); prefer small values on ties
            ub[o] = upper
        else:
            c[o:o + len(p.values[i])] = -p.logp[i]
    c[z0:z0 + n_rel] = p.penalty
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    for i in range(n_cells):
        if not p.free[i]:
            row = np.zeros(n)
            row[offsets[i]:offsets[i] + len(p.values[i])] = 1.0
            rows.append(row)
            lo.append(1.0)
            hi.append(1.0)
    for r in range(n_rel):
        # released (z = 1), the relation's residual may reach its least and greatest value: each side's big-M is
        # exactly that (a larger one weakens the relaxation and lets HiGHS's tolerance on z open the relation)
        expr = np.zeros(n)
        least = most = float(p.const[r])
        for i in np.nonzero(p.coef[r])[0]:
            o = offsets[i]
            if p.free[i]:
                expr[o] = p.coef[r, i]
                terms = np.array([0.0, p.coef[r, i] * upper])
            else:
                terms = p.coef[r, i] * p.values[i]
                expr[o:o + len(p.values[i])] = terms
            least, most = least + float(np.min(terms)), most + float(np.max(terms))
        plus, minus = expr.copy(), expr.copy()
        plus[z0 + r] = -max(0.0, most - p.tol)
        minus[z0 + r] = max(0.0, -least - p.tol)
        rows += [plus, minus]
        lo += [-np.inf, -p.tol - float(p.const[r])]
        hi += [p.tol - float(p.const[r]), np.inf]
    # Valid cuts that tighten the big-M relaxation (candidate values differ from the reading, so a change moves
    # every relation of the cell): a relation broken as read is released or some cell of it changes; a cell that
    # changes to a value that does not by itself settle a relation needs the relation released or another change.
    for r in range(n_rel):
        members = [int(i) for i in np.nonzero(p.coef[r])[0]]
        if any(p.free[i] for i in members):
            continue
        residual = float(p.const[r]) + sum(float(p.coef[r, i] * p.values[i][0]) for i in members)
        if abs(residual) > p.tol:
            row = np.zeros(n)
            row[z0 + r] = 1.0
            for i in members:
                row[offsets[i] + 1:offsets[i] + len(p.values[i])] = 1.0
            rows.append(row)
            lo.append(1.0)
            hi.append(np.inf)
        for i in members:
            deltas = p.coef[r, i] * (p.values[i][1:] - p.values[i][0])
            unsettled = np.abs(residual + deltas) > p.tol
            if not unsettled.any():
                continue
            row = np.zeros(n)
            row[offsets[i] + 1:offsets[i] + len(p.values[i])] = unsettled.astype(float)
            for j in members:
                if j != i:
                    row[offsets[j] + 1:offsets[j] + len(p.values[j])] = -1.0
            row[z0 + r] = -1.0
            rows.append(row)
            lo.append(-np.inf)
            hi.append(0.0)
    if forbid is not None:
        o = offsets[forbid.cell]
        if w >= 0:  # y <= a - 1 + (U - a + 1) w  and  y >= (a + 1) w
            a = float(forbid.index)
            first, second = np.zeros(n), np.zeros(n)
            first[o], first[w] = 1.0, -(upper - a + 1.0)
            second[o], second[w] = 1.0, -(a + 1.0)
            rows += [first, second]
            lo += [-np.inf, 0.0]
            hi += [a - 1.0, np.inf]
        else:
            ub[o + forbid.index] = 0.0
    with _quiet_stdout():
        res = milp(c, constraints=LinearConstraint(np.array(rows), np.array(lo), np.array(hi)),
                   integrality=np.ones(n), bounds=Bounds(lb, ub),
                   options={"mip_rel_gap": 1e-9, "time_limit": time_limit,
                            **({} if node_limit is None else {"node_limit": node_limit})})
    if res.status == 2:
        # every relation may be released, so only forbidding a cell's one candidate leaves nothing
        if forbid is None or p.free[forbid.cell] or len(p.values[forbid.cell]) > 1:
            raise Unsound("HiGHS found no assignment where one exists")
        return None
    if res.status != 0 or res.x is None:
        if node_limit is not None and (res.get("mip_node_count") or 0) >= node_limit:  # (scipy: "not recognized")
            raise RuntimeError(f"HiGHS did not reach an optimum within its node limit ({node_limit})")
        raise RuntimeError(f"HiGHS did not reach an optimum: {res.message}")
    x = res.x
    choice: list[int] = []
    free_value: list[int] = []
    for i in range(n_cells):
        o = offsets[i]
        if p.free[i]:
            choice.append(-1)
            free_value.append(round(float(x[o])))
        else:
            choice.append(int(np.argmax(x[o:o + len(p.values[i])])))
            free_value.append(0)
    objective = -float(res.fun) + p.free_logp * sum(p.free) + 1e-7 * sum(free_value)
    # HiGHS's tolerances let a big-M relation open by a little: its answer stands only where the relations it
    # counts as held hold; its objective then carries the solver's rounding (1e-6), the values' own is exact
    found = rescore(p, Solution(objective, tuple(choice), tuple(free_value)))
    if abs(found.objective - objective) > 1e-6 * max(1.0, abs(objective)):
        raise Unsound("HiGHS's optimum breaks a relation it counts as held")
    if forbid is not None and p.free[forbid.cell] and found.free_value[forbid.cell] == forbid.index:
        raise Unsound("HiGHS's optimum takes the value forbidden it")  # (the same tolerance, on ``w``)
    return found


def free_bound(p: Problem) -> int:
    """A bound on every unreadable cell's value in some optimum of ``p``: the upper bound the integer programme gives
    those cells, and so its big-Ms.

    With the other cells' choices and the held relations fixed, the unreadable cells are an integer programme over
    ``-tol <= b + B x <= tol, x >= 0`` (B: the relations' coefficients on them, +-1; each ``|b|`` at most the
    relation's constant and its other cells' largest candidates) whose objective prefers small values. Its linear
    relaxation has an optimal vertex, each value of which is by Cramer's rule at most the sum of the ``|b|`` (and
    ``tol``) times the largest (k-1)-minor of B (the determinant of a nonsingular integer matrix is at least 1);
    some integer optimum lies within k times the largest minor of it (Cook, Gerards, Schrijver and Tardos, 1986).
    A minor is at most the product of its rows' norms (Hadamard), so of the largest row norms of B (each at least
    1). Where each relation holds two or three unreadable cells this is far below Hadamard's bound for full rows,
    sqrt(k)^(k-1) (seed-15 doc0012, 13 unreadable cells: 3e5 against 2e10). An integer: HiGHS has answered a wrong
    optimum with a fractional bound on an integer column."""
    free = np.array(p.free, dtype=bool)
    k = int(free.sum())
    norms = sorted((float(x) for x in np.sqrt(np.sum(p.coef[:, free] ** 2, axis=1)) if x > 0), reverse=True)
    fixed = np.array([0.0 if f else float(np.max(np.abs(v))) for f, v in zip(p.free, p.values, strict=True)])
    rhs = float(np.sum(np.abs(p.const)) + np.sum(np.abs(p.coef) @ fixed)) + len(p.rel_ids) * p.tol + 1.0
    return math.ceil(rhs * math.prod(norms[:max(k - 1, 0)]) + k * math.prod(norms[:k]))


def _row_bound(residual: float, cells: Sequence[tuple[int, float]],
               changes: Sequence[Sequence[tuple[float, float, int]]], degree: Sequence[int] | Mapping[int, int],
               tol: float, penalty: float) -> float:
    """What a relation that does not hold (``residual``) must still cost, given its undecided candidate ``cells``
    (cell, coefficient) and their changes (cost, delta, candidate) by cost: each cell's cost is shared among its
    ``degree`` relations, so that the shares add up to a bound (an LP dual of covering every broken relation by a
    change); the relation takes the cheapest share of a change that settles it alone, or of two changes, or the
    penalty. The bound of both searches (their hot spot)."""
    one = penalty
    s1 = s2 = math.inf
    for i, c in cells:
        ch = changes[i]
        if not ch:
            continue
        deg = degree[i]
        sh = ch[0][0] / deg
        if sh < s1:
            s1, s2 = sh, s1
        elif sh < s2:
            s2 = sh
        for cc, d, _ in ch:
            if cc / deg >= one:
                break
            if abs(residual + c * d) <= tol:
                one = cc / deg
                break
    return min(one, s1 + s2, penalty)


class NodeLimit(Exception):
    """The search outgrew its node budget: the caller falls back to the integer programme."""


class Search:
    """Exact branch and bound over the relations that do not hold.

    A node is a set of decisions: cells changed to a candidate, cells kept at their reading, relations released.
    Undecided cells sit at their readings. At a node, take a broken relation that is not released (the one with the
    fewest ways out) and branch: release it (the penalty), or change one of its undecided cells to one of its
    candidates, the cells before it in the relation being kept as read. These branches partition the solutions, so
    the search is exact; its depth is the number of changes and releases, which is small. Bound: the cost so far
    plus, per broken relation not released, the least share (cost / number of relations of the cell) an undecided
    cell of it would pay to change, or the penalty. Unreadable (free) cells sit at 0 until a relation sets them to
    the value it implies; they come last in every relation and cost nothing beyond their constant prior. Exact with
    at most one unreadable cell per component (``Solver`` sends components with more to ``FreeSearch``).
    """

    def __init__(self, p: Problem, forbid: Forbid | None, node_limit: int, cutoff: float = -math.inf) -> None:
        self.p = p
        self.cutoff = cutoff  # objective below which solutions are of no interest
        m, q = len(p.keys), len(p.rel_ids)
        self.rels: list[list[tuple[int, float]]] = [[] for _ in range(m)]  # cell -> (relation, coefficient)
        members: list[list[tuple[int, float]]] = [[] for _ in range(q)]
        for r in range(q):
            for i in np.nonzero(p.coef[r])[0]:
                self.rels[int(i)].append((r, float(p.coef[r, i])))
                members[r].append((int(i), float(p.coef[r, i])))
        self.members = [sorted(mem, key=lambda ic: (p.free[ic[0]], ic[0])) for mem in members]  # free cells last
        self.forbid = forbid
        self.base = [0.0] * m
        for i in range(m):
            if not p.free[i]:
                self.base[i] = float(p.values[i][0])
            elif forbid is not None and forbid.cell == i and forbid.index == 0:
                self.base[i] = 1.0  # an unreadable cell may not stay at the forbidden 0
        # per cell: (cost, delta, candidate index) of its changes, by cost
        self.changes: list[list[tuple[float, float, int]]] = []
        for i in range(m):
            if p.free[i]:
                self.changes.append([])
                continue
            lp, vals = p.logp[i], p.values[i]
            opts = [(float(lp[0] - lp[k]), float(vals[k] - vals[0]), k) for k in range(1, len(lp))
                    if not (forbid is not None and forbid.cell == i and forbid.index == k)]
            self.changes.append(sorted(opts))
        self.keep_forbidden = forbid is not None and not p.free[forbid.cell] and forbid.index == 0
        self.share = [0.0 if p.free[i] else (self.changes[i][0][0] if self.changes[i] else math.inf)
                      / max(1, len(self.rels[i])) for i in range(m)]
        self.node_limit = node_limit
        self.nodes = 0
        self.tol = p.tol
        self.penalty = p.penalty

    def run(self) -> Solution | None:
        p = self.p
        m, q = len(p.keys), len(p.rel_ids)
        res = [float(p.const[r]) + sum(c * self.base[i] for i, c in self.members[r]) for r in range(q)]
        state = [0] * m  # 0 undecided, 1 kept, 2 changed
        choice = [0] * m
        value = list(self.base)
        released = [False] * q
        if self.keep_forbidden:  # the reading itself is forbidden: the cell must change
            return self._forced_change(res, state, choice, value, released)
        # cost = objective at the readings (all relations held) - objective; the cutoff and the readings as they
        # stand (every broken relation released) bound it from the start
        top = as_read(p)
        best_cost = min(top - self.cutoff, self.penalty * sum(1 for r in range(q) if abs(res[r]) > self.tol) + 1e-6)
        best: tuple[list[int], list[float]] | None = None
        if not math.isfinite(self.cutoff) and not any(p.free):
            best = (list(choice), list(value))

        tol, free, changes, members = self.tol, p.free, self.changes, self.members
        relations_of = [len(rs) for rs in self.rels]

        def lb(r: int, degree: Sequence[int] | Mapping[int, int]) -> float:
            """What relation ``r`` must still cost (``_row_bound``), each undecided cell's cost shared among its
            relations (all of them, or only those broken now: ``degree``); 0 while an unreadable cell of it is
            undecided (it may take any value)."""
            rr = res[r]
            if released[r] or abs(rr) <= tol:
                return 0.0
            cells: list[tuple[int, float]] = []
            for i, c in members[r]:
                if state[i] != 0:
                    continue
                if free[i]:
                    return 0.0
                cells.append((i, c))
            return _row_bound(rr, cells, changes, degree, tol, self.penalty)

        def static_lb(r: int) -> float:
            return lb(r, relations_of)

        lbs = [static_lb(r) for r in range(q)]

        def visit(cost: float, static: float) -> None:
            nonlocal best_cost, best
            self.nodes += 1
            if self.nodes > self.node_limit:
                raise NodeLimit
            target, ways = -1, math.inf
            broken = [r for r in range(q) if not released[r] and abs(res[r]) > tol]
            for r in broken:
                n = sum(len(changes[i]) if not free[i] else 1 for i, _ in members[r] if state[i] == 0)
                if n < ways:
                    target, ways = r, n
            if target < 0:
                if cost < best_cost - 1e-9:
                    best_cost, best = cost, (list(choice), list(value))
                return
            degree: dict[int, int] = {}  # per cell, the relations broken now
            for r in broken:
                for i, _ in members[r]:
                    degree[i] = degree.get(i, 0) + 1
            if cost + sum(lb(r, degree) for r in broken) >= best_cost - 1e-9:
                return
            branches: list[tuple[float, int, int, float]] = []  # (cost of the step, position, change index, delta)
            undecided = [(i, c) for i, c in self.members[target] if state[i] == 0]
            for pos, (i, c) in enumerate(undecided):
                if p.free[i]:
                    v = value[i] - res[target] / c  # the value that settles the relation
                    bad = self.forbid is not None and self.forbid.cell == i and v == float(self.forbid.index)
                    if v >= 0 and float(v).is_integer() and not bad:
                        branches.append((0.0, pos, -1, v - value[i]))
                    continue
                for j, (cc, d, _) in enumerate(self.changes[i]):
                    branches.append((cc, pos, j, d))
            branches.sort(key=lambda b: b[0])
            children: list[tuple[float, float, float, int, int, float]] = []  # (bound, step, static, pos, j, d)
            for step, pos, j, d in branches:
                if cost + step >= best_cost - 1e-9:
                    break
                new_static = self._try(undecided, pos, d, static, lbs, static_lb, state, res, None)
                if cost + step + new_static < best_cost - 1e-9:
                    children.append((cost + step + new_static, step, new_static, pos, j, d))
            children.sort(key=lambda ch: ch[0])
            for lower_bound, step, new_static, pos, j, d in children:
                if lower_bound >= best_cost - 1e-9:
                    break
                i = undecided[pos][0]
                if j >= 0:
                    choice[i] = self.changes[i][j][2]
                value[i] += d
                self._try(undecided, pos, d, static, lbs, static_lb, state, res, lambda s=step, ns=new_static:
                          visit(cost + s, ns))
                value[i] -= d
                choice[i] = 0
            released[target] = True
            old = lbs[target]
            lbs[target] = 0.0
            if cost + self.penalty + static - old < best_cost - 1e-9:
                visit(cost + self.penalty, static - old)
            lbs[target] = old
            released[target] = False

        visit(0.0, sum(lbs))
        if best is None:
            return None
        return self._solution(*best)

    def _try(self, undecided: list[tuple[int, float]], pos: int, d: float, static: float, lbs: list[float],
             lb: Callable[[int], float], state: list[int], res: list[float],
             then: Callable[[], None] | None) -> float:
        """Change the ``pos``-th undecided cell by ``d`` (the ones before it kept), update the static bounds, run
        ``then`` if given, undo; return the static bound with the change made."""
        i = undecided[pos][0]
        kept = [i0 for i0, _ in undecided[:pos]]
        affected = {r for r, _ in self.rels[i]}
        for i0 in kept:
            state[i0] = 1
            affected.update(r for r, _ in self.rels[i0])
        state[i] = 2
        for r, c in self.rels[i]:
            res[r] += c * d
        saved = [(r, lbs[r]) for r in affected]
        new_static = static
        for r, old in saved:
            lbs[r] = lb(r)
            new_static += lbs[r] - old
        if then is not None:
            then()
        for r, old in saved:
            lbs[r] = old
        for r, c in self.rels[i]:
            res[r] -= c * d
        state[i] = 0
        for i0 in kept:
            state[i0] = 0
        return new_static

    def _forced_change(self, res: list[float], state: list[int], choice: list[int], value: list[float],
                       released: list[bool]) -> Solution | None:
        """The optimum when a cell's reading is forbidden: the best over its changes of the search that follows."""
        i = self.forbid.cell if self.forbid is not None else -1
        best: Solution | None = None
        for _cost, d, k in self.changes[i]:
            sub = Search(self.p, None, self.node_limit, self.cutoff)
            sub.base = list(self.base)
            sub.base[i] += d
            sub.changes[i] = []
            sub.share[i] = math.inf
            sub.nodes = self.nodes
            sol = sub.run()
            self.nodes = sub.nodes
            if sol is None:
                continue
            sol = Solution(sol.objective, tuple(k if j == i else c for j, c in enumerate(sol.choice)),
                           sol.free_value)
            sol = self._rescore(sol)
            if best is None or sol.objective > best.objective:
                best = sol
        return best

    def _rescore(self, sol: Solution) -> Solution:
        p = self.p
        values = [float(sol.free_value[i]) if p.free[i] else float(p.values[i][sol.choice[i]])
                  for i in range(len(p.keys))]
        logp = sum(float(p.logp[i][sol.choice[i]]) for i in range(len(p.keys)) if not p.free[i])
        return Solution(logp - self.penalty * self._broken(values) + p.free_logp * sum(p.free), sol.choice,
                        sol.free_value)

    def _solution(self, choice: list[int], value: list[float]) -> Solution:
        p = self.p
        m = len(p.keys)
        sol = Solution(0.0, tuple(-1 if p.free[i] else int(choice[i]) for i in range(m)),
                       tuple(round(value[i]) if p.free[i] else 0 for i in range(m)))
        return self._rescore(sol)

    def _broken(self, values: list[float]) -> int:
        return sum(1 for mem, const in zip(self.members, self.p.const, strict=True)
                   if abs(float(const) + sum(c * values[i] for i, c in mem)) > self.tol)


class FreeSearch:
    """Exact branch and bound for components with unreadable (free) cells, any number of them.

    The free cells are unknowns, eliminated through the relations that hold (Gauss-Jordan on the relations' rows,
    candidate cells included). A relation with free cells in it (``open``) is branched on by holding it, which
    solves it for one of its free cells and substitutes that into every other row, or releasing it. A row with no
    free cell left (``determined``: a relation, or a combination of held relations, over candidate cells only) that
    does not hold is branched on as in ``Search``: release it (its relation), or change one of its undecided cells
    to one of its candidates, the cells before it being kept. Where every row holds or is released, the free cells
    take the smallest values that make each a non-negative integer (``_integer_point``); where there are none, some
    undecided cell of the rows that decide them must change, and the search branches on those. Each branching
    partitions the solutions, so the search is exact (candidate changes cost >= 0). Bound: the cost so far plus, per
    determined row that does not hold, the least share of a change that settles it, or the penalty (as ``Search``);
    children are visited best bound first.
    """

    BOX = 4096  # integer points a leaf may try before the search gives up (the caller falls back)

    def __init__(self, p: Problem, forbid: Forbid | None, node_limit: int, cutoff: float = -math.inf) -> None:
        self.p = p
        self.forbid = forbid
        self.node_limit = node_limit
        self.nodes = 0
        self.tol = p.tol
        self.penalty = p.penalty
        m, q = len(p.keys), len(p.rel_ids)
        self.m, self.q = m, q
        self.changes: list[list[tuple[float, float, int]]] = []  # per cell: (cost, delta, candidate index), by cost
        for i in range(m):
            if p.free[i]:
                self.changes.append([])
                continue
            lp, vals = p.logp[i], p.values[i]
            self.changes.append(sorted(
                (float(lp[0] - lp[k]), float(vals[k] - vals[0]), k) for k in range(1, len(lp))
                if not (forbid is not None and forbid.cell == i and forbid.index == k)))
        self.top = as_read(p)
        self.best_cost = math.inf if not math.isfinite(cutoff) else self.top - cutoff + 1e-7
        self.best: tuple[list[int], list[float]] | None = None  # (choice, values) of the best solution so far

    def _forbidden_free(self, j: int, v: float) -> bool:
        f = self.forbid
        return f is not None and f.cell == j and self.p.free[j] and abs(v - f.index) < 1e-6

    def run(self) -> Solution | None:
        p = self.p
        m, q = self.m, self.q
        value = [0.0 if p.free[i] else float(p.values[i][0]) for i in range(m)]
        rows = [{int(i): float(p.coef[r, i]) for i in np.nonzero(p.coef[r])[0]} for r in range(q)]
        res = [float(p.const[r]) + sum(c * value[i] for i, c in rows[r].items()) for r in range(q)]
        forced = self.forbid is not None and not p.free[self.forbid.cell] and self.forbid.index == 0
        if not forced:  # the readings as they stand, free cells at 0 (1 where 0 is forbidden): a first solution
            start = [1.0 if self._forbidden_free(j, 0.0) else 0.0 for j in range(m)]
            broken = sum(1 for r in range(q)
                         if abs(res[r] + sum(c * start[j] for j, c in rows[r].items() if p.free[j])) > self.tol)
            if self.penalty * broken < self.best_cost:
                self.best_cost = self.penalty * broken
                self.best = ([0] * m, [start[i] if p.free[i] else value[i] for i in range(m)])
        node = _Node(value, [0] * m, [0] * m, ["active"] * q, rows, res, {})
        if forced:  # the reading itself is forbidden: the cell must change (best bound first)
            self._branch(node, 0.0, [(self.forbid.cell if self.forbid is not None else -1, 1.0)])
        else:
            self._visit(node, 0.0)
        if self.best is None:
            return None
        choice, values = self.best
        return rescore(p, Solution(0.0, tuple(-1 if p.free[i] else int(choice[i]) for i in range(m)),
                                   tuple(round(values[i]) if p.free[i] else 0 for i in range(m))))

    def _cells(self, node: _Node, r: int) -> list[tuple[int, float]]:
        """The undecided candidate cells of row ``r`` with their coefficients."""
        return [(i, c) for i, c in node.rows[r].items() if not self.p.free[i] and node.state[i] == 0]

    def _bound(self, node: _Node) -> float:
        """What the determined rows that do not hold must still cost (``_row_bound``, as ``Search``'s bound)."""
        tol, res = self.tol, node.res
        nfree = node.free_counts(self.p.free)
        broken = [(res[r], self._cells(node, r)) for r, status in enumerate(node.status)
                  if status == "active" and not nfree[r] and abs(res[r]) > tol]
        deg: dict[int, int] = {}
        for _, cells in broken:
            for i, _ in cells:
                deg[i] = deg.get(i, 0) + 1
        total = 0.0
        for rr, cells in broken:
            total += _row_bound(rr, cells, self.changes, deg, tol, self.penalty)
        return total

    def _visit(self, node: _Node, cost: float, bound: float | None = None) -> None:
        """``bound``: the node's, where the caller has it (``_branch`` computes it to order the children)."""
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise NodeLimit
        if (cost + self._bound(node) if bound is None else bound) >= self.best_cost - 1e-9:
            return
        p, tol = self.p, self.tol
        nfree = node.free_counts(p.free)
        target, ways, kind = -1, math.inf, ""
        for r in range(self.q):
            if node.status[r] != "active":
                continue
            if nfree[r] == 0 and abs(node.res[r]) > tol:
                n = sum(len(self.changes[i]) for i, _ in self._cells(node, r))
                if n < ways:
                    target, ways, kind = r, n, "broken"
        if target < 0:
            best_key: tuple[int, int] | None = None
            for r in range(self.q):
                if node.status[r] != "active":
                    continue
                if nfree[r] and (best_key is None or (nfree[r], len(node.rows[r])) < best_key):
                    target, kind, best_key = r, "open", (nfree[r], len(node.rows[r]))
        if target < 0:
            cells = self._leaf(node, cost)
            if cells:
                self._branch(node, cost, cells)
            return
        if kind == "open":
            held = node.hold(target, p.free)
            if held is not None and not self._infeasible_constant(held):
                self._visit(held, cost)
        else:
            self._branch(node, cost, self._cells(node, target))
        if cost + self.penalty < self.best_cost - 1e-9:
            node.status[target] = "released"
            self._visit(node, cost + self.penalty)
            node.status[target] = "active"

    def _branch(self, node: _Node, cost: float, undecided: list[tuple[int, float]]) -> None:
        """Children: one of ``undecided`` changes to one of its candidates, the cells before it kept; best bound
        first."""
        children: list[tuple[float, float, int, float, int]] = []  # (bound, step, position, delta, candidate)
        for pos, (i, _) in enumerate(undecided):
            for step, d, k in self.changes[i]:
                if cost + step >= self.best_cost - 1e-9:
                    break
                self._enter(node, undecided, pos, d, k)
                bound = cost + step + self._bound(node)
                self._leave(node, undecided, pos, d)
                if bound < self.best_cost - 1e-9:
                    children.append((bound, step, pos, d, k))
        children.sort(key=lambda ch: ch[:3])
        for bound, step, pos, d, k in children:
            if bound >= self.best_cost - 1e-9:
                break
            self._enter(node, undecided, pos, d, k)
            self._visit(node, cost + step, bound)
            self._leave(node, undecided, pos, d)

    @staticmethod
    def _enter(node: _Node, undecided: list[tuple[int, float]], pos: int, d: float, k: int) -> None:
        for i0, _ in undecided[:pos]:
            node.state[i0] = 1
        i = undecided[pos][0]
        node.state[i], node.choice[i] = 2, k
        node.move(i, d)

    @staticmethod
    def _leave(node: _Node, undecided: list[tuple[int, float]], pos: int, d: float) -> None:
        i = undecided[pos][0]
        node.move(i, -d)
        node.state[i], node.choice[i] = 0, 0
        for i0, _ in undecided[:pos]:
            node.state[i0] = 0

    def _pivot_row(self, node: _Node, j: int) -> tuple[float, dict[int, float], list[int]]:
        """Free cell ``j`` (solved by a held relation) as constant + coefficients over the free cells still open,
        and the candidate cells it depends on."""
        r = node.pivots[j]
        row = node.rows[r]
        a = row[j]
        lin = {f: -g / a for f, g in row.items() if f != j and self.p.free[f]}
        return -node.res[r] / a, lin, [i for i in row if not self.p.free[i]]

    def _infeasible_constant(self, node: _Node) -> bool:
        """A free cell solved to a negative, fractional or forbidden value by rows whose candidate cells are all
        decided: no completion of this node fixes it."""
        for j in node.pivots:
            const, lin, cells = self._pivot_row(node, j)
            if not lin and all(node.state[i] != 0 for i in cells) and not self._valid(j, const):
                return True
        return False

    def _valid(self, j: int, v: float) -> bool:
        return v >= -1e-6 and abs(v - round(v)) <= 1e-6 and not self._forbidden_free(j, round(v))

    def _leaf(self, node: _Node, cost: float) -> list[tuple[int, float]]:
        """Every row holds or is released: give the free cells values, record the solution, and return nothing;
        where no values will do, return the undecided cells one of which must change."""
        p = self.p
        rows = {j: self._pivot_row(node, j) for j in sorted(node.pivots)}
        for j, (const, lin, cells) in rows.items():
            if not lin and not self._valid(j, const):  # this free cell's row: one of its cells must change
                return [(i, 1.0) for i in cells if node.state[i] == 0]
        opened = sorted({f for _, lin, _ in rows.values() for f in lin})
        point = _integer_point([(j, const, lin) for j, (const, lin, _) in rows.items() if lin], opened,
                               self._forbidden_free, self.BOX)
        if point is None:  # the rows with open free cells in them: one of their cells must change
            return sorted({(i, 1.0) for j, (_, lin, cells) in rows.items() if lin for i in cells
                           if node.state[i] == 0})
        values = list(node.value)
        for j in range(self.m):
            if p.free[j] and j not in node.pivots:
                values[j] = point.get(j, 1.0 if self._forbidden_free(j, 0.0) else 0.0)
        for j, (const, lin, _) in rows.items():
            values[j] = float(round(const + sum(g * point[f] for f, g in lin.items())))
        self.best_cost = cost
        self.best = (list(node.choice), values)
        return []


@dataclass
class _Node:
    """The state of ``FreeSearch``: cell values and decisions (0 undecided, 1 kept, 2 changed), row status
    (active, released, pivot), the rows (cell -> coefficient; free cells eliminated where solved), their residuals
    over the candidate cells (free cells not counted), and the row that solves each solved free cell."""

    value: list[float]
    state: list[int]
    choice: list[int]
    status: list[str]
    rows: list[dict[int, float]]
    res: list[float]
    pivots: dict[int, int]
    cols: dict[int, list[tuple[int, float]]] | None = None  # cell -> (row, coefficient), made at the first move
    nfree: list[int] | None = None  # free cells per row, made when first asked (rows change only in ``hold``)

    def free_counts(self, free: Sequence[bool]) -> list[int]:
        if self.nfree is None:
            self.nfree = [sum(1 for i in row if free[i]) for row in self.rows]
        return self.nfree

    def move(self, i: int, d: float) -> None:
        self.value[i] += d
        if self.cols is None:
            self.cols = {}
            for r, row in enumerate(self.rows):
                for j, c in row.items():
                    self.cols.setdefault(j, []).append((r, c))
        res = self.res
        for r, c in self.cols.get(i, ()):
            res[r] += c * d

    def hold(self, r: int, free: Sequence[bool]) -> _Node | None:
        """A copy in which row ``r`` holds: solved for one of its free cells, which is eliminated from every other
        row that is not released."""
        row = self.rows[r]
        cands = [f for f in row if free[f]]
        j = max(cands, key=lambda f: (abs(abs(row[f]) - 1.0) < 1e-12, -f))  # a unit coefficient keeps integers
        a = row[j]
        rows = list(self.rows)
        res = list(self.res)
        for r2, row2 in enumerate(self.rows):
            g = row2.get(j)
            if r2 == r or g is None or self.status[r2] == "released":
                continue
            k = g / a
            new = dict(row2)
            for i, c in row.items():
                v = new.get(i, 0.0) - k * c
                if abs(v) < 1e-12:
                    new.pop(i, None)
                else:
                    new[i] = v
            new.pop(j, None)
            rows[r2] = new
            res[r2] -= k * self.res[r]
        status = list(self.status)
        status[r] = "pivot"
        return _Node(list(self.value), list(self.state), list(self.choice), status, rows, res,
                     {**self.pivots, j: r})


def _integer_point(rows: list[tuple[int, float, dict[int, float]]], opened: list[int],
                   forbidden: Callable[[int, float], bool], limit: int) -> dict[int, float] | None:
    """Non-negative integers for the free cells ``opened`` such that every expressed cell (``rows``: cell, constant,
    coefficients over ``opened``) is a non-negative integer and no cell takes its forbidden value, with the smallest
    sum: points are tried by increasing sum within the bounds the rows give. None where there is none (the bounds
    are finite and every point in them fails, or a row with integer coefficients has a fractional constant);
    ``NodeLimit`` where ``limit`` points were tried without an answer."""
    if not opened:
        return {}
    lo = {f: 0 for f in opened}
    hi: dict[int, float] = {f: math.inf for f in opened}
    for _, const, lin in rows:
        if all(abs(g - round(g)) < 1e-9 for g in lin.values()) and abs(const - round(const)) > 1e-6:
            return None  # never an integer
        for f, g in lin.items():
            if all(h <= 0 for o, h in lin.items() if o != f):  # const + g t + (something <= 0) >= 0
                if g < 0:
                    hi[f] = min(hi[f], math.floor(const / -g + 1e-9))
                else:
                    lo[f] = max(lo[f], math.ceil(-const / g - 1e-9))
    if any(hi[f] < lo[f] for f in opened):
        return None
    top = sum(hi[f] - lo[f] for f in opened)  # the largest sum of the shifted point (inf where unbounded)
    n = len(opened)
    tried = 0

    def points(k: int, total: int) -> Iterator[list[int]]:
        """Shifts of cells k.. summing to ``total``, within their bounds."""
        f = opened[k]
        if k == n - 1:
            if total <= hi[f] - lo[f]:
                yield [total]
            return
        for u in range(min(total, hi[f] - lo[f]) + 1 if math.isfinite(hi[f]) else total + 1):
            for rest in points(k + 1, total - u):
                yield [u, *rest]

    level = 0
    while level <= top:
        for shift in points(0, level):
            tried += 1
            if tried > limit:
                if _relaxation_infeasible(rows, opened, lo, hi):
                    return None
                raise NodeLimit
            point = {f: float(lo[f] + u) for f, u in zip(opened, shift, strict=True)}
            if any(forbidden(f, v) for f, v in point.items()):
                continue
            good = True
            for e, const, lin in rows:
                v = const + sum(g * point[f] for f, g in lin.items())
                if v < -1e-6 or abs(v - round(v)) > 1e-6 or forbidden(e, round(v)):
                    good = False
                    break
            if good:
                return point
        level += 1
    return None


def _relaxation_infeasible(rows: list[tuple[int, float, dict[int, float]]], opened: list[int],
                           lo: Mapping[int, int], hi: Mapping[int, float]) -> bool:
    """No real point within the bounds makes every row non-negative (a linear programme)."""
    a = np.array([[-lin.get(f, 0.0) for f in opened] for _, _, lin in rows])
    b = np.array([const for _, const, _ in rows])
    res = linprog(np.zeros(len(opened)), A_ub=a, b_ub=b,
                  bounds=[(lo[f], hi[f] if math.isfinite(hi[f]) else None) for f in opened], method="highs")
    return res.status == 2


def rescore(p: Problem, sol: Solution) -> Solution:
    """``sol`` with its objective computed from its values (every broken relation released)."""
    m = len(p.keys)
    values = np.array([float(sol.free_value[i]) if p.free[i] else float(p.values[i][sol.choice[i]]) for i in range(m)])
    logp = sum(float(p.logp[i][sol.choice[i]]) for i in range(m) if not p.free[i])
    broken = int(np.sum(np.abs(p.const + p.coef @ values) > p.tol))
    return Solution(logp - p.penalty * broken + p.free_logp * sum(p.free), sol.choice, sol.free_value)


class Solver:
    def __init__(self, p: Problem, options: RepairOptions) -> None:
        self.p = p
        self.options = options
        small = not any(p.free) and p.size <= options.max_enumeration
        self.enum = Enumerator(p) if small else None
        self.solves = 0
        self._answers: dict[tuple[Forbid | None, float], Solution | None] = {}
        # Search sets an unreadable cell from one relation at a time: exact for one such cell per component, not
        # where two of them must be solved for together (FreeSearch: slower per node, exact for any number)
        self.method = "enumeration" if small else "search" if sum(p.free) <= 1 else "free-search"
        # both searches take the reading for the most probable candidate (a change never costs less than nothing),
        # as cell_candidates makes it; candidates given otherwise go to the integer programme
        self.searchable = not any(len(lp) and float(np.max(lp)) > float(lp[0]) + 1e-12 for lp in p.logp)
        if not small and not self.searchable:
            self.method = "milp"

    def best(self, forbid: Forbid | None = None, cutoff: float = -math.inf) -> Solution | None:
        """The optimum (with ``forbid`` excluded); None where there is none. The search may also answer None where
        nothing reaches ``cutoff`` (it prunes below it); enumeration and the integer programme answer exactly. An
        answer is kept: a component is asked again by the repairs of one report that share it
        (``repair.SolveCache``)."""
        asked = (forbid, cutoff)
        if asked not in self._answers:
            self._answers[asked] = self._best(forbid, cutoff)
        return self._answers[asked]

    def settle(self, optimum: Solution) -> None:
        """Keep ``optimum``, found with a cutoff, as the answer without one (a search that finds anything above its
        cutoff finds the optimum)."""
        self._answers[(None, -math.inf)] = optimum

    def _best(self, forbid: Forbid | None, cutoff: float) -> Solution | None:
        self.solves += 1
        if self.enum is not None:
            return self.enum.best(forbid)
        if self.method in ("search", "free-search"):
            kind = Search if self.method == "search" else FreeSearch
            try:
                return kind(self.p, forbid, self.options.node_limit, cutoff).run()
            except NodeLimit:
                self.method = "milp"
        try:
            return solve_milp(self.p, forbid, self.options.time_limit_s, self.options.milp_node_limit)
        except Unsound as unsound:
            if not self.searchable:
                raise
            try:  # the exact search, with room to finish; where it cannot, HiGHS's failure stands
                return FreeSearch(self.p, forbid, self.options.unsound_search_node_limit, cutoff).run()
            except NodeLimit:
                raise unsound from None



def as_read(p: Problem) -> float:
    """The objective with every cell at its reading and no relation released (unreadable cells at their prior)."""
    return sum(float(lp[0]) for lp, f in zip(p.logp, p.free, strict=True) if not f) + p.free_logp * sum(p.free)


def ceiling(p: Problem) -> float:
    """The most a component's optimum can exceed ``as_read``: each cell at its most probable candidate, nothing
    released (0 where every reading is its cell's most probable candidate, as ``cell_candidates`` makes them)."""
    return sum(float(np.max(lp) - lp[0]) for lp, f in zip(p.logp, p.free, strict=True) if not f and len(lp))
