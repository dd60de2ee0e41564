"""The grammar search behind :func:`nnkit.symbolic.distill`: structure first, then the parts.

With two or more inputs the source is first examined as a differentiable surrogate
(:mod:`nnkit.symbolic.structure`; a data set gets a spline surrogate). Then, as in AI
Feynman (Udrescu & Tegmark 2020):

* inputs the function does not depend on are dropped;
* a dependence on one combination (``x·y``, ``x/y``, ``x ± y``) makes that combination a
  new input, one fewer;
* an additive or multiplicative separation ``f = g(x_i) ∘ h(rest)`` is searched part by
  part, each part on a slice of the surrogate, recursively; the parts' terms are then
  combined (sum, or all products) and refitted on the samples themselves.

Whatever the parts give is checked on the samples; the whole problem is searched too,
with the time that is left, unless a part already gave an exact formula.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from nnkit.symbolic.grammar import Node, mul, power, substitute, var
from nnkit.symbolic.noise import exact_threshold
from nnkit.symbolic.refine import Model, fit_linear, refine, snap_model
from nnkit.symbolic.search import (
    CONFIRM_MARGIN,
    SearchSettings,
    SearchState,
    model_size,
    search,
)
from nnkit.symbolic.structure import Structure, detect_structure, surrogate

__all__ = ["grammar_search"]

Fn = Callable[[np.ndarray], np.ndarray]


def _models_to_exprs(
    models: Sequence[Model],
    symbols: Sequence[sp.Symbol],
    limit: int = 120,
) -> list[tuple[sp.Expr, str]]:
    """The sympy forms of the most useful models: the most accurate and the smallest."""
    by_error = sorted(models, key=lambda m: (m.rmse, model_size(m)))[: limit * 3 // 4]
    by_size = sorted(models, key=lambda m: (model_size(m), m.rmse))[: limit // 4]
    ranked = list({id(m): m for m in by_error + by_size}.values())
    out = []
    for m in ranked:
        try:
            out.append((m.sympy(symbols), m.origin or "grammar"))
        except (ValueError, TypeError, ZeroDivisionError):
            continue
    return out


def _moved(m: Model, variables: dict[int, Node], offset: int = 0) -> Model:
    """A part's model in the whole problem's variables (slots shifted by ``offset``)."""
    terms = [substitute(t, variables, offset) for t in m.terms]
    den = substitute(m.den, variables, offset) if m.den is not None else None
    return Model(
        terms,
        np.array(m.theta, dtype=float),
        den,
        np.array(m.coef),
        m.rmse,
        {k + offset: v for k, v in m.exact_theta.items()},
        list(m.exact_coef),
        m.origin,
    )


def _best_parts(state: SearchState, k: int = 3) -> list[Model]:
    """The part formulas worth combining.

    The simplest exact ones, the most accurate, and the simplest of those nearly as accurate.
    """
    exact = sorted(state.exact, key=lambda m: (m.n_free, model_size(m), m.rmse))[:k]
    by_error = sorted(state.models, key=lambda m: (m.rmse, model_size(m)))
    best = by_error[0].rmse if by_error else 0.0
    near = sorted(
        (m for m in state.models if m.rmse <= 3 * best + 1e-12),
        key=lambda m: (m.n_free, model_size(m)),
    )
    out = list({id(m): m for m in exact + by_error[:2] + near[:2]}.values())
    return out[: k + 2]


class _Recursion:
    """Solves the problem and its parts; everything ends in models on the full samples."""

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        f: Fn,
        domain: Sequence[tuple[float, float]],
        noise: float,
        accuracy: float,
        gradient: Fn | None,
        settings: SearchSettings,
        report: Callable[[str, float], None],
        should_stop: Callable[[], bool] | None,
        on_model: Callable[[Model], None],
        slack: float,
        t_end: float,
        confirm: Callable[[Model], Model | None] | None = None,
    ) -> None:
        self.confirm = confirm
        self.confirmed: list[Model] = []
        self.X, self.y, self.f, self.domain = X, y, f, list(domain)
        self.noise, self.accuracy, self.gradient = noise, accuracy, gradient
        self.settings, self.report, self.should_stop = settings, report, should_stop
        self.on_model, self.slack, self.t_end = on_model, slack, t_end
        self.models: list[Model] = []
        self.n = len(y)
        self.ystd = float(np.std(y)) or 1.0
        self.tol = exact_threshold(noise, self.n) * self.ystd if noise <= 0.3 else 0.0
        self.structure: Structure | None = None
        self.steps: list[str] = []

    def left(self) -> float:
        return self.t_end - time.perf_counter()

    def stop(self) -> bool:
        return self.left() <= 0 or (self.should_stop is not None and self.should_stop())

    def exact_found(self) -> bool:
        """An exact formula whose numbers all snapped (else the whole problem is searched too)."""
        if self.confirm is not None:
            return any(m.n_free == 0 for m in self.confirmed)
        return any(m.rmse <= self.tol and m.n_free == 0 for m in self.models)

    def search_on(
        self, X: np.ndarray, y: np.ndarray, noise: float, share: float, slack: float, label: str
    ) -> SearchState:
        budget = max(0.5, share * self.left())
        s = SearchSettings(
            self.settings.max_terms,
            self.settings.degree,
            self.settings.screen,
            budget,
            self.settings.stages,
        )
        return search(
            X,
            y,
            noise,
            s,
            progress=lambda st, fr: self.report(f"{label}: {st}", fr),
            should_stop=self.should_stop,
            slack=slack,
        )

    def consider(self, m: Model) -> None:
        """Keep a model of the whole problem, confirmed on the data when there are any."""
        self.models.append(m)
        if self.confirm is not None and m.rmse <= CONFIRM_MARGIN * self.tol:
            r = self.confirm(m)
            if r is not None:
                self.confirmed.append(r)

    def keep(self, m: Model) -> None:
        """Refit a combined model's outer coefficients on the full samples and keep it.

        Snapping, which costs an optimisation per number, is only for an exact fit.
        """
        fit_linear(m, self.X, self.y)  # the parts' inner numbers hold for the whole,
        if not np.isfinite(m.rmse):  # up to the surrogate's error: refine them on the samples
            return
        if m.rmse > self.tol and 0 < len(m.theta) <= 4:
            m = refine(m, self.X, self.y, max_nfev=20, deadline=self.t_end)
        m.origin = "structure"
        m.exact_coef = [None] * len(m.coef)
        self.consider(m)
        if m.rmse <= self.tol:
            m = snap_model(
                m,
                self.X,
                self.y,
                3.0 / np.sqrt(self.n),
                self.slack * self.ystd + 1e-12 * (self.ystd + abs(float(np.mean(self.y)))),
                self.t_end,
            )
            m.origin = "structure"
            self.consider(m)
        self.on_model(m)

    # ---------------------------------------------------------------- the parts
    def run(self, names: Sequence[str]) -> None:
        d = self.X.shape[1]
        self.report("structure", 0.0)
        st = detect_structure(
            self.f, self.domain, names, gradient=self.gradient, accuracy=self.accuracy, n=300
        )
        self.structure = st
        if not st.reliable:
            self.steps.append(
                f"no structure used: the surrogate's error ({100 * st.accuracy:.2g} %) "
                "is too large for the tests"
            )
            return
        used = [i for i in range(d) if st.uses[i]]
        if 0 < len(used) < d:
            self.steps.append(
                "dropped " + ", ".join(n for n, u in zip(names, st.uses, strict=True) if not u)
            )
            self.solve_sub(
                used,
                {k: var(i) for k, i in enumerate(used)},
                self.X[:, used],
                0.9,
                "inputs it depends on",
            )
            return
        if st.combination is not None and d == 2:
            i, j = st.pair
            combo = {
                "+": lambda a, b: a + b,
                "-": lambda a, b: a - b,
                "*": lambda a, b: a * b,
                "/": lambda a, b: a / b,
            }[st.combination]
            node = {
                "+": Node("add", (var(i), var(j))),
                "-": Node("add", (var(i), mul(Node("num", (), -1.0), var(j)))),
                "*": mul(var(i), var(j)),
                "/": mul(var(i), power(var(j), -1)),
            }[st.combination]
            self.steps.append(f"searched f({names[i]} {st.combination} {names[j]})")
            u = combo(self.X[:, i], self.X[:, j])[:, None]
            self.solve_sub([0], {0: node}, u, 0.9, f"f({names[i]} {st.combination} {names[j]})")
            return
        if st.separable is not None and d == 2:
            self.separate(st, names)

    def solve_sub(
        self, _cols: list[int], mapping: dict[int, Node], Xs: np.ndarray, share: float, label: str
    ) -> None:
        """Search the full samples in fewer inputs (a reduction that is exact if the test was)."""
        state = self.search_on(Xs, self.y, self.noise, share, self.slack, label)
        for m in sorted(state.models, key=lambda m: m.rmse)[:40]:
            self.consider(_moved(m, mapping))
        best = min(state.models, key=lambda m: m.rmse, default=None)
        if best is not None:
            self.on_model(_moved(best, mapping))

    def separate(self, st: Structure, names: Sequence[str]) -> None:
        """Search g(x_i) and h(x_j) on slices of the surrogate, then combine them."""
        i, j = st.pair
        kind = st.separable
        lo = np.array([a for a, _ in self.domain])
        hi = np.array([b for _, b in self.domain])
        centre = 0.5 * (lo + hi)
        if kind == "multiplicative":
            # fix the other input where the function is largest, so the slice is not ~0
            # (inside the domain: a network is least accurate at its edges)
            probe = lo + (hi - lo) * (0.2 + 0.6 * np.random.default_rng(1).random((64, len(lo))))
            centre = probe[int(np.argmax(np.abs(self.f(probe))))]
        parts: list[list[Model]] = []
        for k, a in enumerate((i, j)):
            t = np.linspace(lo[a], hi[a], 300)
            P = np.tile(centre, (len(t), 1))
            P[:, a] = t
            with np.errstate(all="ignore"):
                v = np.asarray(self.f(P), dtype=float).reshape(-1)
            if not np.all(np.isfinite(v)) or np.std(v) == 0:
                parts.append([Model([], coef=np.array([float(np.mean(v))]), rmse=0.0)])
                continue
            # the source's error relative to this slice's own spread
            acc = self.accuracy * self.ystd / max(float(np.std(v)), 1e-300)
            state = self.search_on(
                t[:, None],
                v,
                min(acc, 0.3),
                0.3 if k == 0 else 0.45,
                min(acc, 0.3),
                f"{kind} part in {names[a]}",
            )
            # parts with many terms are series approximations: their products explode
            parts.append([_moved(m, {0: var(a)}) for m in _best_parts(state) if len(m.terms) <= 4])
        self.steps.append(f"{kind}: searched g({names[i]}) and h({names[j]}) on slices")
        pairs = [(g, h) for g in parts[0] for h in parts[1]]
        for k, (g, h) in enumerate(pairs):
            if self.stop():
                break
            self.report(f"combining the {kind} parts", k / len(pairs))
            combined = _combine(g, h, kind)
            if combined is not None:
                self.keep(combined)


def _combine(g: Model, h: Model, kind: str | None) -> Model | None:
    """``g + h`` or ``g·h`` as one model whose outer coefficients are refitted."""
    h_moved = _moved(h, {}, offset=len(g.theta))
    theta = np.concatenate([g.theta, h_moved.theta])
    exact_theta = {**g.exact_theta, **h_moved.exact_theta}
    if kind == "additive":
        if g.den is not None or h.den is not None:
            return None
        return Model(g.terms + h_moved.terms, theta, exact_theta=exact_theta)
    gt: list[Node | None] = [None, *g.terms]
    ht: list[Node | None] = [None, *h_moved.terms]
    terms: list[Node] = []
    for a in gt:
        for b in ht:
            if a is not None and b is not None:
                terms.append(mul(a, b))
            elif a is not None or b is not None:
                terms.append(a if a is not None else b)  # type: ignore[arg-type]
    dens = [m.den for m in (g, h_moved) if m.den is not None]
    den = None if not dens else dens[0] if len(dens) == 1 else mul(*dens)
    return Model(terms, theta, den, exact_theta=exact_theta)


def grammar_search(
    source: Fn | tuple[np.ndarray, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    symbols: Sequence[sp.Symbol],
    domain: Sequence[tuple[float, float]],
    noise: float,
    *,
    time_budget: float = 20.0,
    max_terms: int = 8,
    degree: int | None = None,
    structure: bool = True,
    gradient: Fn | None = None,
    report: Callable[[str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_best: Callable[[Any], None] | None = None,
    t0: float | None = None,
    seed: int = 0,
    slack: float = 0.0,
    verify: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> tuple[list[tuple[sp.Expr, str]], dict[str, Any]]:
    """Formulas for the samples ``(X, y)`` of ``source``, as (sympy, how it was found) pairs.

    Parameters
    ----------
    source : callable or (X, y)
        The surrogate to examine (a callable, e.g. a network), or the data themselves.
    X, y : numpy.ndarray
        The samples formulas are fitted to.
    symbols : sequence of sympy.Symbol
    domain : sequence of (low, high)
    noise : float
        Relative noise level of ``y``.
    time_budget : float, default 20
        Seconds for everything, counted from ``t0``.
    max_terms, degree
        See :class:`nnkit.symbolic.search.SearchSettings`.
    structure : bool, default True
        Examine the source's structure first (two or more inputs).
    gradient : callable, optional
        The source's gradient (``(n, d) -> (n, d)``); finite differences otherwise.
    report, should_stop, on_best
        Progress callback, stop hook and best-so-far hook (see :func:`distill`).
    t0 : float, optional
        ``time.perf_counter()`` at the start of the budget.
    seed : int, default 0
    slack : float, default 0
        The source's known relative inaccuracy (see :func:`nnkit.symbolic.search.search`).
    verify : (X, y, noise), optional
        The data the source was trained on and their relative noise level: the best
        formulas are refitted (constants refined and snapped) on them.

    Returns
    -------
    (list, dict)
        The candidate formulas, and ``{"n_models", "stopped", "stage", "structure",
        "steps"}``.
    """
    t0 = time.perf_counter() if t0 is None else t0
    report = report or (lambda stage, f: None)
    info: dict[str, Any] = {"structure": None, "steps": []}
    best_rmse = [float("inf")]

    def best_hook(m: Model) -> None:
        if on_best is None or not m.rmse < best_rmse[0]:
            return
        best_rmse[0] = m.rmse
        from nnkit.symbolic.core import candidate_from

        try:
            expr = m.sympy(symbols)
        except (ValueError, TypeError, ZeroDivisionError):
            return
        c = candidate_from(expr, X, y, symbols, exact_threshold(noise, len(y)), m.origin)
        if c is not None:
            on_best(c)

    settings = SearchSettings(max_terms=max_terms, degree=degree)
    models: list[Model] = []
    t_end = t0 + 0.8 * time_budget  # the rest is for refitting and judging what was found
    confirm = None
    if verify is not None:
        Xv, yv, noise_v = verify

        def confirm(m: Model) -> Model | None:
            r = _refit_one(m, Xv, yv, noise_v, quick=True)
            return (
                r
                if r is not None
                and r.rmse <= exact_threshold(noise_v, len(yv)) * (np.std(yv) or 1.0)
                else None
            )

    if structure and X.shape[1] >= 2:
        if callable(source):
            f, acc = source, (slack or 0.0)
        else:
            f, acc = surrogate(X, y, seed)
            acc = max(acc, 1e-6)
        rec = _Recursion(
            X,
            y,
            f,
            domain,
            noise,
            acc,
            gradient,
            settings,
            report,
            should_stop,
            best_hook,
            slack,
            t_end,
            confirm,
        )
        rec.run([s.name for s in symbols])
        models += rec.models + rec.confirmed
        info["structure"] = rec.structure
        info["steps"] = rec.steps
        done = rec.exact_found()
    else:
        done = False
    state = SearchState()
    if not done and time.perf_counter() < t_end:
        left = max(0.5, t_end - time.perf_counter())
        settings = SearchSettings(max_terms=max_terms, degree=degree, time_budget=left)
        state = search(
            X,
            y,
            noise,
            settings,
            progress=report,
            should_stop=should_stop,
            on_model=best_hook,
            slack=slack,
            confirm=confirm,
        )
        models += state.models + state.confirmed
    info.update({"n_models": len(models), "stopped": state.stopped, "stage": state.stage})
    if verify is not None:
        report("refitting on the data", 0.0)
        models = models + _refit(
            models, *verify, should_stop=should_stop, deadline=t0 + 0.92 * time_budget
        )
    return _models_to_exprs(models, symbols), info


def _refit_one(
    m: Model, X: np.ndarray, y: np.ndarray, noise: float, quick: bool = False
) -> Model | None:
    """``m`` with its constants refitted on ``(X, y)``, refined if needed, and snapped.

    ``quick``: only the outer coefficients are refitted, and it is snapped only if exact.
    """
    n = len(y)
    ystd = float(np.std(y)) or 1.0
    tol = exact_threshold(noise, n) * ystd
    r = Model(list(m.terms), np.array(m.theta, dtype=float), m.den, origin=f"{m.origin}, refitted")
    fit_linear(r, X, y)
    if not np.isfinite(r.rmse):
        return None
    if r.rmse > tol and len(r.theta) and not quick:
        r = refine(r, X, y, max_nfev=20)
    if quick and r.rmse > tol:
        r.exact_coef = [None] * len(r.coef)
        return r
    return snap_model(r, X, y, 3.0 / np.sqrt(n), 1e-12 * (ystd + abs(float(np.mean(y)))))


def _refit(
    models: Sequence[Model],
    X: np.ndarray,
    y: np.ndarray,
    noise: float,
    should_stop: Callable[[], bool] | None = None,
    limit: int = 80,
    deadline: float = float("inf"),
) -> list[Model]:
    """The most promising models' constants refitted on ``(X, y)`` (until ``deadline``).

    Most accurate first, then the smallest; the unsnapped fits come before the snapped
    ones, as a snap on the source may have dropped a term the data need.
    """
    by_error = sorted(models, key=lambda m: (m.rmse, m.n_free == 0, model_size(m)))
    by_size = sorted(models, key=lambda m: (model_size(m), m.rmse))
    chosen = list({id(m): m for m in by_error[: limit * 3 // 4] + by_size[: limit // 4]}.values())
    out = []
    for m in chosen:
        if (should_stop is not None and should_stop()) or time.perf_counter() > deadline:
            break
        r = _refit_one(m, X, y, noise)
        if r is not None:
            out.append(r)
    return out
