"""The search: formulas built from the grammar, simplest first, until one is exact.

Stages, each richer than the one before (:mod:`nnkit.symbolic.features` generates the
columns):

1. **polynomials** – every monomial up to a total degree; least squares on all of
   them, then backward elimination (drop the monomial that costs least, one at a time)
   gives the best polynomial of every size.
2. **functions** – rational powers and functions ``u(g)`` of small arguments; the
   columns most correlated with the target are screened (*sure independence
   screening*, Fan & Lv 2008, as in SISSO) and the best subsets of a few terms are
   searched exactly (:mod:`nnkit.symbolic.sparse`).
3. **singles** – the best one-factor formulas of every function get their inner
   numbers freed (``exp(−x²)`` → ``exp(a·x² + b·x)``) and optimised.
4. **products** – products of two simple factors (``x·sin 2πx``, ``sin x₁·cos x₂``),
   screened against the target and the residuals of the best formulas so far.
5. **rational functions** – ``y·(m₀ + Σ dⱼ Qⱼ) = Σ cᵢ Pᵢ`` is linear in ``c`` and ``d``:
   backward elimination on columns ``Pᵢ`` and ``−y·Qⱼ`` finds ratios of sums.
6. **refinement** – the best small formulas get their inner numbers freed
   (``sin(a·x+b)``) and optimised (:mod:`nnkit.symbolic.refine`), then snapped back
   to simple values.

Every formula's numbers are snapped (:func:`nnkit.symbolic.refine.snap_model`) while the
fit stays within the noise level. The search stops at the first stage that yields an
exact formula (the data's noise level, :mod:`nnkit.symbolic.noise`) once the cheap
stages have run, when ``should_stop()`` says so, or when the time budget is spent.
When a network is searched, its training data decide: a formula near the network
(:data:`CONFIRM_MARGIN`) that the ``confirm`` hook finds exact on those data, every
number snapped, counts as exact.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnkit.symbolic.features import (
    ColumnSet,
    factor_columns,
    monomial,
    monomial_values,
    polynomial_exponents,
    power_exponents,
    product_columns,
    variable_info,
)
from nnkit.symbolic.grammar import Node, add, const, evaluate_node, mul, parameterize
from nnkit.symbolic.noise import exact_threshold
from nnkit.symbolic.refine import Model, fit_linear, refine, simplest_scale, snap_model
from nnkit.symbolic.snap import snap_linear
from nnkit.symbolic.sparse import best_subsets

__all__ = ["SearchSettings", "SearchState", "model_size", "search", "tree_size"]

Report = Callable[[str, float], None]


@dataclass(frozen=True)
class SearchSettings:
    """Knobs of :func:`search` (the defaults are what the page uses).

    Attributes
    ----------
    max_terms : int
        Most terms in a sum (besides the constant).
    degree : int or None
        Highest total degree of the polynomial stage (default 10 in 1-D, 6 in 2-D,
        4 in 3-D, 3 beyond).
    screen : int
        Columns kept by screening for the subset search.
    time_budget : float
        Seconds for the whole search.
    stages : tuple of str
        Which stages to run, in order.
    """

    max_terms: int = 8
    degree: int | None = None
    screen: int = 250
    time_budget: float = 20.0
    stages: tuple[str, ...] = (
        "polynomials",
        "functions",
        "singles",
        "products",
        "rational",
        "refinement",
    )


@dataclass
class SearchState:
    """What the search has found so far (kept when it is stopped).

    Attributes
    ----------
    models : list of Model
        Every distinct formula fitted, with its RMSE.
    exact : list of Model
        Those within the noise level.
    stage : str
        The stage running (or the last one run).
    stopped : str
        ``""`` (ran to the end or found an exact formula), ``"time"`` or ``"stopped"``.
    confirmed : list of Model
        With a ``confirm`` hook: what it returned for the exact models.
    """

    models: list[Model] = field(default_factory=list)
    exact: list[Model] = field(default_factory=list)
    confirmed: list[Model] = field(default_factory=list)
    stage: str = ""
    stopped: str = ""


def tree_size(node: Node) -> int:
    """Nodes of a tree (an estimate of the sympy node count, without building sympy)."""
    return 1 + sum(tree_size(a) for a in node.args)


def model_size(m: Model) -> int:
    """Estimated node count of a model: its terms, coefficients and operators."""
    size = 0
    for i, c in enumerate(m.coef):
        if c == 0:
            continue
        size += 1 if i == 0 else tree_size(m.terms[i - 1]) + (0 if abs(c) == 1 else 2)
    size += max(0, sum(1 for c in m.coef if c != 0) - 1)
    if m.den is not None:
        size += tree_size(m.den) + 2
    return size + 2 * m.n_free


def _variables(node: Node) -> frozenset[int]:
    if node.op == "var":
        return frozenset([int(node.value)])  # type: ignore[arg-type]
    out: frozenset[int] = frozenset()
    for a in node.args:
        out |= _variables(a)
    return out


CONFIRM_MARGIN = 3.0
"""With a ``confirm`` hook, how far (in exact thresholds) a formula may be from the network
and still be checked on the data: a network misses the law on new points by more than its
training error, so the law is further from it than that error's threshold."""


class _Stop(Exception):
    """Raised inside the search when the budget is spent or the caller asks to stop."""


class _Searcher:
    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        noise: float,
        settings: SearchSettings,
        report: Report,
        should_stop: Callable[[], bool] | None,
        on_model: Callable[[Model], None] | None,
        slack: float = 0.0,
        confirm: Callable[[Model], Model | None] | None = None,
    ) -> None:
        self.confirm = confirm
        self.X, self.y = X, y
        self.n, self.d = X.shape
        self.settings = settings
        self.report = report
        self.should_stop = should_stop or (lambda: False)
        self.on_model = on_model
        self.ystd = float(np.std(y)) or 1.0
        # absolute RMSE of an exact fit (samples that are mostly noise have none)
        self.tol = exact_threshold(noise, self.n) * self.ystd if noise <= 0.3 else 0.0
        # a snap may cost a statistically insignificant increase of the RMSE, plus the
        # source's known inaccuracy (a network is not exact even when the law is)
        self.snap_rel = 3.0 / np.sqrt(self.n)
        self.snap_tol = slack * self.ystd + 1e-12 * (self.ystd + abs(float(np.mean(y))))
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + settings.time_budget
        self.state = SearchState()
        self._seen: set[tuple] = set()
        self.info = variable_info(X)
        self.cs = ColumnSet(self.n)
        self.monos: list[int] = []
        self.factors: list[int] = []
        self.simple: list[int] = []
        self.best_rmse = float("inf")
        self._singles: list[Model] = []

    # ---------------------------------------------------------------- bookkeeping
    def check(self) -> None:
        if self.should_stop():
            self.state.stopped = "stopped"
            raise _Stop
        if time.perf_counter() - self.t0 > self.settings.time_budget:
            self.state.stopped = "time"
            raise _Stop

    def progress(self, fraction: float) -> None:
        self.report(self.state.stage, min(max(fraction, 0.0), 1.0))
        self.check()

    def record(self, m: Model) -> Model:
        if not np.isfinite(m.rmse):
            return m
        key = (
            tuple(repr(t) for t in m.terms),
            repr(m.den),
            tuple(np.round(m.coef, 10)),
            tuple(np.round(m.theta, 10)),
            tuple(e is None for e in m.exact_coef),
            tuple(sorted(m.exact_theta)),
        )
        if key in self._seen:
            return m
        self._seen.add(key)
        self.state.models.append(m)
        if self.confirm is None:
            if m.rmse <= self.tol:
                self.state.exact.append(m)
        elif m.rmse <= CONFIRM_MARGIN * self.tol:
            confirmed = self.confirm(m)
            if confirmed is not None:
                self.state.exact.append(m)
                self.state.confirmed.append(confirmed)
        if m.rmse < self.best_rmse and self.on_model is not None:
            self.best_rmse = m.rmse
            self.on_model(m)
        return m

    def linear_model(
        self,
        idx: Sequence[int],
        cols: np.ndarray | None = None,
        nodes: Sequence[Node] | None = None,
    ) -> Model:
        """Fit and snap ``c₀ + Σ cᵢ·column`` for columns of the column set (or given ones)."""
        A_cols = self.cs.matrix(idx) if cols is None else cols
        terms = [self.cs.nodes[i] for i in idx] if nodes is None else list(nodes)
        A = np.column_stack([np.ones(self.n), A_cols])
        exact, beta, rmse = snap_linear(A, self.y, rel_tol=self.snap_rel, abs_tol=self.snap_tol)
        raw, *_ = np.linalg.lstsq(A, self.y, rcond=None)
        raw_rmse = float(np.sqrt(np.mean((self.y - A @ raw) ** 2)))
        m = Model(
            terms, coef=raw, rmse=raw_rmse, exact_coef=[None] * len(raw), origin=self.state.stage
        )
        if rmse <= raw_rmse * (1 + self.snap_rel) + self.snap_tol:
            keep = [i for i in range(1, len(beta)) if not (exact[i] is not None and exact[i] == 0)]
            snapped = Model(
                [terms[i - 1] for i in keep],
                coef=np.array([beta[0]] + [beta[i] for i in keep]),
                rmse=rmse,
                exact_coef=[exact[0]] + [exact[i] for i in keep],
                origin=self.state.stage,
            )
            if len(keep) < len(terms) or any(e is not None for e in exact):
                # the unsnapped fit is kept too: its terms may be right where the source's
                # own error let a snap drop one
                self.record(m)
            m = snapped
        return self.record(m)

    def subsets(
        self, pool: list[int], max_terms: int, target: np.ndarray | None = None
    ) -> list[Model]:
        """Best subsets of ``pool`` (column-set indices) for every size, as fitted models."""
        if not pool:
            return []
        y = self.y if target is None else target
        A = self.cs.matrix(pool)
        Ac = A - A.mean(axis=0)
        norm = np.linalg.norm(Ac, axis=0)
        ok = norm > 0
        pool = [p for p, k in zip(pool, ok, strict=True) if k]
        Z = Ac[:, ok] / norm[ok]
        # with noise many small subsets fit about equally well: keep more of them
        found = best_subsets(
            Z,
            y - y.mean(),
            max_terms=min(max_terms, len(pool)),
            per_size=8,
            progress=lambda f: self.check(),
        )
        out = []
        for size, subsets in found.items():
            for subset, _ in subsets[: 8 if size <= 3 else 3]:
                out.append(self.linear_model([pool[j] for j in subset]))
            self.check()
        return out

    # ---------------------------------------------------------------- stages
    def polynomials(self) -> None:
        deg = self.settings.degree or {1: 10, 2: 6, 3: 4}.get(self.d, 3)
        exps = polynomial_exponents(self.d, deg)
        nodes = [monomial(e) for e in exps]
        V = np.column_stack([monomial_values(self.X, e) for e in exps])
        self.monos = self.cs.add_many(nodes, V)
        # the full polynomial of every degree (noise can lead elimination astray)
        for k in range(1, deg + 1):
            full = [i for i in self.monos if sum(exps[nodes.index(self.cs.nodes[i])]) <= k]
            if len(full) <= self.settings.max_terms + 4:
                self.linear_model(full)
        self.backward(self.monos)
        self.progress(0.6)
        self.subsets(self.monos, 4)

    def backward(self, pool: list[int], target_models: bool = True) -> None:
        """Least squares on the whole pool, then drop the cheapest column, one at a time."""
        active = list(pool)
        A = np.column_stack([np.ones(self.n), self.cs.matrix(active)])
        scale = np.linalg.norm(A, axis=0)
        scale[scale == 0] = 1.0
        while active:
            As = A / scale
            G = As.T @ As
            try:
                Ginv = np.linalg.pinv(G, rcond=1e-13)
            except np.linalg.LinAlgError:
                break
            beta = Ginv @ (As.T @ self.y)
            if len(active) <= self.settings.max_terms + 4 and target_models:
                self.linear_model(active)
            # increase of the residual sum of squares when column j leaves: β_j² / (G⁻¹)_jj
            cost = beta[1:] ** 2 / np.maximum(np.diag(Ginv)[1:], 1e-300)
            j = int(np.argmin(cost))
            del active[j]
            A = np.delete(A, j + 1, axis=1)
            scale = np.delete(scale, j + 1)

    def build_factors(self) -> None:
        # single-variable rational powers and a few cross monomials beside the polynomial ones
        nodes, cols = [], []
        for j, vi in enumerate(self.info):
            for e in power_exponents(vi):
                exps = [0] * self.d
                exps[j] = e  # type: ignore[call-overload]
                nodes.append(monomial(exps))
                cols.append(monomial_values(self.X, exps))
        for i in range(self.d):
            for j in range(self.d):
                if i == j:
                    continue
                for a, b in (
                    (1, -1),
                    (2, -1),
                    (1, -2),
                    (2, -2),
                    (3, -1),
                    (1, -3),
                    (3, -2),
                    (2, -3),
                    (5, -3),
                    (3, -5),
                ):
                    if self.info[j].keeps_sign:
                        exps = [0] * self.d
                        exps[i], exps[j] = a, b
                        nodes.append(monomial(exps))
                        cols.append(monomial_values(self.X, exps))
        if nodes:
            self.monos += self.cs.add_many(nodes, np.column_stack(cols))
        self.factors, self.simple = factor_columns(self.X, self.info, self.cs)

    def screened(self, candidates: list[int], targets: np.ndarray, keep: int) -> list[int]:
        """The ``keep`` candidates most correlated with any target column.

        Half the places are shared out between the groups of columns that use the same
        variables, so that a term in one variable is not crowded out by the many that
        mix several (a sum of one-variable terms correlates weakly with each of them).
        """
        if not candidates:
            return []
        A = self.cs.matrix(candidates)
        Ac = A - A.mean(axis=0)
        T = targets - targets.mean(axis=0)
        T = T / np.maximum(np.linalg.norm(T, axis=0), 1e-300)
        score = np.max(np.abs(T.T @ Ac), axis=0) / np.maximum(np.linalg.norm(Ac, axis=0), 1e-300)
        order = list(np.argsort(-score))
        chosen = order[: keep // 2] if self.d > 1 else order[:keep]
        if self.d > 1:
            groups: dict[frozenset[int], list[int]] = {}
            for i in order:
                groups.setdefault(_variables(self.cs.nodes[candidates[i]]), []).append(int(i))
            share = max(1, (keep - len(chosen)) // max(len(groups), 1))
            for members in groups.values():
                chosen += members[:share]
        return [candidates[i] for i in dict.fromkeys(chosen)]

    def residual_targets(self, k: int = 3) -> np.ndarray:
        """The samples and the residuals of the best formula of each of the first sizes."""
        cols = [self.y]
        by_size: dict[int, Model] = {}
        for m in self.state.models:
            size = len(m.terms)
            if (
                m.den is None
                and 1 <= size <= k
                and (size not in by_size or m.rmse < by_size[size].rmse)
            ):
                by_size[size] = m
        for m in by_size.values():
            r = self.y - m.predict(self.X)
            if np.all(np.isfinite(r)) and np.std(r) > 0:
                cols.append(r)
        return np.column_stack(cols)

    def functions(self) -> None:
        self.build_factors()
        self.progress(0.2)
        for i in self.screened(self.factors + self.monos, self.y[:, None], 12):
            self.linear_model([i])
        pool = list(
            dict.fromkeys(
                self.monos + self.screened(self.factors, self.y[:, None], self.settings.screen)
            )
        )
        self.subsets(pool, self.settings.max_terms)
        self.progress(0.6)
        extra = self.screened(self.factors, self.residual_targets(), self.settings.screen // 2)
        pool2 = list(dict.fromkeys(self.monos[:12] + extra + pool[: self.settings.screen // 2]))
        if set(pool2) - set(pool):
            self.subsets(pool2, min(self.settings.max_terms, 6))

    def products(self) -> None:
        base = [i for i in self.monos if tree_size(self.cs.nodes[i]) <= 5][:12] + self.simple
        targets = self.residual_targets()
        found = product_columns(self.cs, base, targets, keep=self.settings.screen)
        self.progress(0.4)
        prods = (
            self.cs.add_many([f[0] for f in found], np.column_stack([f[1] for f in found]))
            if found
            else []
        )
        top = self.screened(self.factors, targets, self.settings.screen // 2)
        pool = list(dict.fromkeys(self.monos[:20] + prods + top))
        self.subsets(pool, min(self.settings.max_terms, 6))

    def rational(self) -> None:
        deg = {1: 4, 2: 4}.get(self.d, 2)
        exps = polynomial_exponents(self.d, deg)
        P_nodes = [monomial(e) for e in exps]
        P = np.column_stack([monomial_values(self.X, e) for e in exps])
        top = self.screened(self.factors, self.y[:, None], 6)
        P_nodes += [self.cs.nodes[i] for i in top]
        P = np.column_stack([P] + [self.cs.cols[i][:, None] for i in top])
        leads = [np.zeros(self.d, dtype=int)] + [
            np.eye(self.d, dtype=int)[i] for i in range(self.d)
        ]
        for li, lead in enumerate(leads):
            q_exps = [e for e in polynomial_exponents(self.d, deg) if tuple(e) != tuple(lead)]
            lead_v = monomial_values(self.X, lead)
            Qv = np.column_stack([monomial_values(self.X, e) for e in q_exps])
            target = self.y * lead_v
            cols = np.column_stack([np.ones(self.n), P, -self.y[:, None] * Qv])
            names = [None] + list(range(len(P_nodes))) + [("q", k) for k in range(len(q_exps))]
            for support in self._rational_supports(cols, target):
                self._rational_model(support, names, P_nodes, q_exps, lead)
                self.check()
            self.progress((li + 1) / len(leads))

    def _rational_supports(self, A: np.ndarray, target: np.ndarray) -> list[list[int]]:
        """Supports (column indices of A, 0 = constant) of sparse solutions of ``A c ≈ t``.

        Backward elimination from all columns; the smallest supports that still solve
        the linearised problem to the noise level come first, then the most accurate.
        """
        scale = np.linalg.norm(A, axis=0)
        scale[scale == 0] = 1.0
        active = list(range(A.shape[1]))
        found: list[tuple[float, list[int]]] = []
        while len(active) > 1:
            As = A[:, active] / scale[active]
            beta, *_ = np.linalg.lstsq(As, target, rcond=1e-13)
            r = target - As @ beta
            rel = float(np.sqrt(np.mean(r**2)) / (np.std(target) or 1.0))
            if len(active) <= 12:
                found.append((rel, list(active)))
            Ginv = np.linalg.pinv(As.T @ As, rcond=1e-13)
            cost = beta**2 / np.maximum(np.diag(Ginv), 1e-300)
            del active[int(np.argmin(cost))]
        tol = max(10 * self.tol / self.ystd, 1e-9)
        exact = sorted((s for rel, s in found if rel <= tol), key=len)
        rest = [s for _, s in sorted(found, key=lambda t: t[0]) if s not in exact]
        return (exact[:2] + rest)[:4]

    def _rational_model(
        self, support: list[int], names: list, P_nodes: list[Node], q_exps: list, lead: np.ndarray
    ) -> None:
        num_idx = [names[k] for k in support if k > 0 and not isinstance(names[k], tuple)]
        den_idx = [names[k][1] for k in support if isinstance(names[k], tuple)]
        if not den_idx:
            return
        den = add(
            monomial(list(lead)),
            *[mul(const(k), monomial(q_exps[q])) for k, q in enumerate(den_idx)],
        )
        m = Model(
            [P_nodes[i] for i in num_idx],
            theta=np.zeros(len(den_idx)),
            den=den,
            origin=self.state.stage,
        )
        # starting values of the denominator from the linearised solution
        A = np.column_stack(
            [np.ones(self.n)]
            + [evaluate_node(P_nodes[i], self.X) for i in num_idx]
            + [-self.y * monomial_values(self.X, q_exps[q]) for q in den_idx]
        )
        sol, *_ = np.linalg.lstsq(A, self.y * monomial_values(self.X, list(lead)), rcond=None)
        m.theta = sol[1 + len(num_idx) :]
        fit_linear(m, self.X, self.y)
        if not m.rmse <= self.tol:
            if not m.rmse < 0.5 * self.ystd:
                return  # a poor start: the linearisation did not find this ratio
            m = refine(m, self.X, self.y, max_nfev=20, deadline=self.deadline)
        if not np.isfinite(m.rmse):
            return
        m.exact_coef = [None] * len(m.coef)
        self.record(m)
        if m.rmse <= self.tol:  # snapping costs an optimisation per number: exact ones only
            scaled = simplest_scale(m, monomial(list(lead)), [monomial(q_exps[q]) for q in den_idx])
            self.record(
                snap_model(scaled, self.X, self.y, self.snap_rel, self.snap_tol, self.deadline)
            )

    def singles(self) -> None:
        """Stage: refine the best one-factor formulas (see :meth:`refine_singles`)."""
        self._singles = self.refine_singles()
        for r in sorted(self._singles, key=lambda m: m.rmse)[:2]:
            if r.rmse <= self.tol * 10:
                self.record(
                    snap_model(r, self.X, self.y, self.snap_rel, self.snap_tol, self.deadline)
                )

    def refine_singles(self, per_function: int = 4) -> list[Model]:
        """Refine one-factor formulas ``c₀ + c₁·u(g)``: the best few of every function.

        Cheap (one to three numbers each), and the way to scales and shifts the grammar
        does not enumerate: ``exp(−x²)`` becomes ``exp(−(x − 1)²)``, ``sin x`` ``sin 1.5x``.
        """
        out: list[Model] = []
        if not self.factors:
            return out
        A = self.cs.matrix(self.factors)
        Ac = A - A.mean(axis=0)
        yc = self.y - self.y.mean()
        score = np.abs(yc @ Ac) / np.maximum(np.linalg.norm(Ac, axis=0), 1e-300)
        taken: dict[str, int] = {}
        for k in np.argsort(-score):
            node = self.cs.nodes[self.factors[int(k)]]
            if taken.get(node.op, 0) >= per_function or not node.args:
                continue
            taken[node.op] = taken.get(node.op, 0) + 1
            r = self.refine_one(self.linear_model([self.factors[int(k)]]))
            if r is not None:
                out.append(r)
            self.check()
        return out

    def refinement(self, limit: int = 22) -> None:
        """Free the numbers inside the best formulas' functions and optimise them."""
        singles = list(self._singles)
        self.progress(0.3)
        pool = sorted(
            (m for m in self.state.models if any(t.args for t in m.terms) or m.den is not None),
            key=lambda m: m.rmse,
        )
        by_size: dict[int, list[Model]] = {}
        seen: set[tuple[str, ...]] = set()
        per_kind: dict[tuple[str, ...], int] = {}
        for m in pool:
            size = len(m.terms) + (m.den is not None)
            terms = tuple(sorted(repr(t) for t in m.terms)) + (repr(m.den),)
            # the same terms once (a snapped and an unsnapped fit refine alike), and at
            # most two formulas of the same kinds of function, so that a sine that
            # happens to fit well does not crowd out the exponential that is the law
            kind = tuple(sorted(t.op for t in m.terms))
            if size > 4 or terms in seen or per_kind.get(kind, 0) >= 2:
                continue
            seen.add(terms)
            per_kind[kind] = per_kind.get(kind, 0) + 1
            by_size.setdefault(size, []).append(m)
        # more of the small formulas: they are cheap to refine and likelier to be the law
        quota = {1: 12, 2: 5, 3: 3, 4: 2}
        chosen = [m for size in sorted(by_size) for m in by_size[size][: quota[size]]][:limit]
        refined: list[Model] = list(singles)
        for i, m in enumerate(chosen if not any(r.rmse <= self.tol for r in singles) else []):
            r = self.refine_one(m)
            if r is not None:
                refined.append(r)
                if r.rmse <= self.tol or any(e is r for e in self.state.exact):
                    break  # candidates come simplest first: the first exact one is the simplest
            self.progress(0.8 * (i + 1) / max(len(chosen), 1))
        # snapping costs one optimisation per number tried: only for the most accurate
        for r in sorted(refined, key=lambda m: m.rmse)[:3]:
            self.record(snap_model(r, self.X, self.y, self.snap_rel, self.snap_tol, self.deadline))
            self.check()

    def refine_one(self, m: Model) -> Model | None:
        """``m`` with the numbers inside its functions freed and optimised (None if no better)."""
        start = list(m.theta)
        terms, theta = [], start
        for t in m.terms:
            node, theta = parameterize(t, theta)
            terms.append(node)
        den = m.den
        if den is not None:
            den, theta = parameterize(den, theta)
        trial = Model(terms, np.array(theta, dtype=float), den, origin="refinement")
        if len(trial.theta) == 0 or len(trial.theta) > 8:
            return None
        trial = refine(trial, self.X, self.y, max_nfev=40, deadline=self.deadline)
        if not np.isfinite(trial.rmse) or trial.rmse >= m.rmse * (1 - 1e-6):
            return None
        trial.exact_coef = [None] * len(trial.coef)
        return self.record(trial)

    # ---------------------------------------------------------------- driver
    def run(self) -> SearchState:
        stages = self.settings.stages
        try:
            for name in stages:
                if name in ("singles", "products", "rational", "refinement") and self.done():
                    break
                self.state.stage = name
                self.report(name, 0.0)
                getattr(self, name)()
                self.report(name, 1.0)
                self.check()
        except _Stop:
            pass
        return self.state

    def done(self) -> bool:
        """An exact formula is in hand and the stages left are unlikely to give a simpler one.

        Only a formula whose numbers all snapped counts: with noise, an approximation
        with a few free numbers can be within the noise too, and the law may come later.
        """
        snapped = [m for m in self.state.exact if m.n_free == 0]
        snapped += [m for m in self.state.confirmed if m.n_free == 0]
        if not snapped:
            return False
        best = min(model_size(m) for m in snapped)
        return best <= 10 or self.state.stage not in ("functions", "singles")


def search(
    X: np.ndarray,
    y: np.ndarray,
    noise: float,
    settings: SearchSettings | None = None,
    progress: Report | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_model: Callable[[Model], None] | None = None,
    slack: float = 0.0,
    confirm: Callable[[Model], Model | None] | None = None,
) -> SearchState:
    """Search formulas for ``y ≈ f(X)`` (see the module docstring).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, d)
    y : numpy.ndarray, shape (n,)
    noise : float
        Relative noise level of ``y`` (decides what counts as exact).
    settings : SearchSettings, optional
    progress : callable, optional
        ``progress(stage, fraction)`` as each stage advances.
    should_stop : callable, optional
        Polled often; the search ends (keeping what it found) when it returns True.
    on_model : callable, optional
        Called with each formula that is more accurate than all before it.
    slack : float, default 0
        Relative error a snap to a simple number may add on top of a statistically
        insignificant change: the source's own inaccuracy (a network's training
        error), 0 for data.

    Returns
    -------
    SearchState
    """
    s = _Searcher(
        np.asarray(X, dtype=float),
        np.asarray(y, dtype=float),
        float(noise),
        settings or SearchSettings(),
        progress or (lambda stage, f: None),
        should_stop,
        on_model,
        slack,
        confirm,
    )
    return s.run()
