"""``distill``: from a trained network (any callable, or a data set) to a formula, labelled honestly."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count
from nnkit.symbolic.noise import NUMERICAL_FLOOR, estimate_noise, exact_threshold
from nnkit.symbolic.snap import simple_values

__all__ = [
    "ERROR_FLOOR",
    "Candidate",
    "Distillation",
    "description_length",
    "distill",
    "estimate_noise",
    "pareto_front",
    "sample_domain",
    "score_on",
    "widen_domain",
]

Domain = Sequence[tuple[float, float]]
Progress = Callable[[str, float], None]

#: Relative errors below this are numerically zero for model choice.
ERROR_FLOOR = NUMERICAL_FLOOR


@dataclass(frozen=True)
class Candidate:
    """One formula found by a search.

    Attributes
    ----------
    expr : sympy.Expr
        The formula in the input symbols.
    complexity : int
        Number of nodes of its expression tree.
    rmse : float
        Root-mean-square error against the samples it was fitted to.
    nrmse : float
        ``rmse`` divided by the standard deviation of the samples (0 is exact, 1 is
        no better than the mean); ``R² = 1 − nrmse²``.
    n_terms : int
        Number of non-constant terms of the sum (numerator of a ratio).
    free_constants : int
        Numbers that did not snap to a simple value (rational, or rational times π …).
    method : str
        Which search found it (its stage, or ``"gplearn"``).
    exact : bool
        It matches the samples to their noise level (see :mod:`nnkit.symbolic.noise`).
    """

    expr: sp.Expr
    complexity: int
    rmse: float
    nrmse: float
    n_terms: int
    free_constants: int
    method: str = "grammar"
    exact: bool = False

    @property
    def r2(self) -> float:
        """Coefficient of determination on the samples, ``1 − nrmse²``."""
        return 1.0 - self.nrmse**2

    @property
    def latex(self) -> str:
        """LaTeX of the formula (numbers shown with 4 significant digits)."""
        return sp.latex(_round_floats(self.expr))

    @property
    def text(self) -> str:
        """Plain-text formula (numbers shown with 4 significant digits)."""
        return str(_round_floats(self.expr))

    def predict(self, X: np.ndarray, symbols: Sequence[sp.Symbol]) -> np.ndarray:
        """Evaluate the formula on points ``X`` (columns in the order of ``symbols``)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        vals = {s: X[:, i] for i, s in enumerate(symbols)}
        return evaluate(self.expr, vals) * np.ones(X.shape[0])


@dataclass
class Distillation:
    """Result of :func:`distill`.

    Attributes
    ----------
    status : str
        ``"exact"`` (the chosen formula matches the samples to their noise level),
        ``"approximation"`` (the best formula found leaves a larger error: see
        ``relative_error`` and the Pareto ``front``), ``"constant"`` (the samples do not
        vary), or ``"none"`` (the samples are mostly noise: no law to distil).
    message : str
        One honest sentence about the outcome, computed from the numbers.
    best : Candidate
        The chosen formula: the simplest exact one, else the best trade-off.
    candidates : list of Candidate
        Every distinct formula evaluated, sorted by complexity.
    front : pandas.DataFrame
        The complexity/error Pareto front: columns ``complexity``, ``nrmse``, ``r2``,
        ``formula``, ``latex``, ``exact``, ``chosen``.
    symbols : tuple of sympy.Symbol
    domain, extrapolation : tuple of (low, high)
        Sampled domain and the wider window used to test extrapolation.
    X, y : numpy.ndarray
        The samples the search used.
    method : str
    seconds : float
        Wall time of the search.
    library_size : int
        Number of distinct formulas fitted.
    info : dict
        ``noise`` (the relative noise level the labels use), ``noise_source``
        (``"estimated"`` or ``"given"``), ``threshold``, ``stopped`` (``""``, ``"time"``,
        ``"stopped"``), ``stage``; ``structure`` when detected.
    """

    status: str
    message: str
    best: Candidate
    candidates: list[Candidate]
    front: pd.DataFrame
    symbols: tuple[sp.Symbol, ...]
    domain: tuple[tuple[float, float], ...]
    extrapolation: tuple[tuple[float, float], ...]
    X: np.ndarray
    y: np.ndarray
    method: str = "grammar"
    seconds: float = 0.0
    library_size: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True only for an exact formula (an approximation is not 'found')."""
        return self.status == "exact"

    @property
    def relative_error(self) -> float:
        """Relative RMSE (RMSE / std of the samples) of the chosen formula."""
        return self.best.nrmse

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The chosen formula evaluated on ``X``."""
        return self.best.predict(X, self.symbols)


def _round_floats(expr: sp.Expr, digits: int = 4) -> sp.Expr:
    floats = {f: sp.Float(float(f), digits) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


# ---------------------------------------------------------------------------- domains
def widen_domain(domain: Domain, factor: float = 2.0) -> tuple[tuple[float, float], ...]:
    """A window ``factor`` times as wide around the centre of each interval.

    An interval that starts at or above 0 is widened only upwards (so √x and log x
    stay defined): ``[0, 4]`` becomes ``[0, 8]`` with ``factor=2``.
    """
    out = []
    for lo, hi in domain:
        width = hi - lo
        if lo >= 0:
            out.append((float(lo), float(lo + factor * width)))
        else:
            c = 0.5 * (lo + hi)
            out.append((float(c - factor * width / 2), float(c + factor * width / 2)))
    return tuple(out)


def sample_domain(domain: Domain, n: int, seed: int = 0) -> np.ndarray:
    """``n`` points in the box ``domain``: an even grid in 1-D, uniform random otherwise."""
    d = len(domain)
    if d == 1:
        lo, hi = domain[0]
        return np.linspace(lo, hi, n)[:, None]
    rng = np.random.default_rng(seed)
    lows = np.array([lo for lo, _ in domain])
    highs = np.array([hi for _, hi in domain])
    return lows + (highs - lows) * rng.random((n, d))


def score_on(
    predict: Callable[[np.ndarray], np.ndarray],
    reference: Callable[[np.ndarray], np.ndarray],
    domain: Domain,
    n: int = 2000,
    seed: int = 1,
) -> dict[str, float]:
    """R² and RMSE of ``predict`` against ``reference`` on points sampled in ``domain``.

    Points where either is not finite are left out (``n_used`` says how many remain).
    """
    X = sample_domain(domain, n, seed)
    with np.errstate(all="ignore"):
        p = np.asarray(predict(X), dtype=float).reshape(-1)
        r = np.asarray(reference(X), dtype=float).reshape(-1)
    ok = np.isfinite(p) & np.isfinite(r)
    if ok.sum() < 2:
        return {"r2": float("nan"), "rmse": float("nan"), "n_used": int(ok.sum())}
    err = p[ok] - r[ok]
    var = float(np.var(r[ok]))
    rmse = float(np.sqrt(np.mean(err**2)))
    r2 = 1.0 - rmse**2 / var if var > 0 else (1.0 if rmse == 0 else float("-inf"))
    return {"r2": r2, "rmse": rmse, "n_used": int(ok.sum())}


# ---------------------------------------------------------------------------- choice
def pareto_front(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates not beaten by a simpler-or-equal one with lower error, by complexity."""
    front: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.complexity, c.nrmse)):
        if not front or c.nrmse < front[-1].nrmse:
            if front and front[-1].complexity == c.complexity:
                continue
            front.append(c)
    return front


def description_length(c: Candidate, weight: float = 0.1, accuracy: float = ERROR_FLOOR) -> float:
    """Model-choice score: ``ln(max(nrmse, accuracy)) + weight · (complexity + 2·free constants)``.

    A two-part code length, up to scale: the error term is what the data cost given
    the formula, the complexity term what the formula costs; a free (unsnapped) real
    constant costs as much as three nodes. With ``weight=0.1`` one more node must cut
    the error by ≈10 %. Errors below ``accuracy`` (the samples' noise level) do not
    count, so a formula is never rewarded for fitting the noise.
    """
    floor = max(accuracy, ERROR_FLOOR)
    return math.log(max(c.nrmse, floor)) + weight * (c.complexity + 2 * c.free_constants)


def _front_frame(cands: Sequence[Candidate], chosen: Candidate) -> pd.DataFrame:
    front = pareto_front(cands)
    if chosen not in front:
        front = sorted([*front, chosen], key=lambda c: c.complexity)
    return pd.DataFrame(
        {
            "complexity": [c.complexity for c in front],
            "nrmse": [c.nrmse for c in front],
            "r2": [c.r2 for c in front],
            "formula": [c.text for c in front],
            "latex": [c.latex for c in front],
            "exact": [c.exact for c in front],
            "chosen": [c.expr == chosen.expr for c in front],
        }
    )


# ---------------------------------------------------------------------------- inputs
def _simple_constant(mean: float, spread: float) -> sp.Expr:
    """The simplest number within the spread of the samples (else the mean as a float)."""
    for _, v in simple_values(mean):
        if abs(float(v) - mean) <= max(spread, 1e-12 * abs(mean)):
            return v
    return sp.Float(mean, 15)


def _as_samples(
    source: Callable[[np.ndarray], np.ndarray] | tuple[np.ndarray, np.ndarray],
    domain: Domain | None,
    n_samples: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, tuple[tuple[float, float], ...]]:
    if callable(source):
        if domain is None:
            raise ValueError("distilling a callable needs its domain")
        X = sample_domain(domain, n_samples, seed)
        y = np.asarray(source(X), dtype=float).reshape(-1)
        return X, y, tuple((float(a), float(b)) for a, b in domain)
    X, y = source
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=float).reshape(-1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} values")
    ok = np.all(np.isfinite(X), axis=1) & np.isfinite(y)
    X, y = X[ok], y[ok]
    if X.shape[0] < 10:
        raise ValueError("need at least 10 finite samples to distil a formula")
    if X.shape[0] > n_samples:  # a random subset keeps memory and time bounded
        keep = np.sort(np.random.default_rng(seed).choice(X.shape[0], n_samples, replace=False))
        X, y = X[keep], y[keep]
    if domain is None:
        domain = tuple((float(X[:, i].min()), float(X[:, i].max())) for i in range(X.shape[1]))
    return X, y, tuple((float(a), float(b)) for a, b in domain)


def _symbols(variables: Sequence[str | sp.Symbol] | None, d: int) -> tuple[sp.Symbol, ...]:
    if variables is None:
        variables = ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d))
    if len(variables) != d:
        raise ValueError(f"{len(variables)} variable names for {d} input columns")
    return tuple(v if isinstance(v, sp.Symbol) else sp.Symbol(str(v), real=True) for v in variables)


def candidate_from(
    expr: sp.Expr,
    X: np.ndarray,
    y: np.ndarray,
    symbols: Sequence[sp.Symbol],
    threshold: float,
    method: str,
    max_free: int = 3,
) -> Candidate | None:
    """A :class:`Candidate` for ``expr``, its error measured on the samples (None if not finite).

    It is exact when its relative error is within ``threshold`` and it has at most
    ``max_free`` numbers that did not snap to simple values.
    """
    vals = {s: X[:, i] for i, s in enumerate(symbols)}
    try:
        with np.errstate(all="ignore"):
            pred = evaluate(expr, vals) * np.ones(len(y))
    except (ValueError, TypeError):
        return None
    r = pred - y
    if not np.all(np.isfinite(r)):
        return None
    rmse = float(np.sqrt(np.mean(r**2)))
    ystd = float(np.std(y)) or 1.0
    numer = sp.fraction(sp.together(expr))[0] if expr.is_Mul or expr.is_Pow else expr
    n_terms = sum(
        1 for t in sp.Add.make_args(sp.expand(numer) if numer.is_Add else numer) if not t.is_Number
    )
    free = len(expr.atoms(sp.Float))
    return Candidate(
        expr=expr,
        complexity=node_count(expr),
        rmse=rmse,
        nrmse=rmse / ystd,
        n_terms=int(n_terms),
        free_constants=free,
        method=method,
        exact=bool(rmse / ystd <= threshold and free <= max_free),
    )


# ---------------------------------------------------------------------------- distill
def distill(
    source: Callable[[np.ndarray], np.ndarray] | tuple[np.ndarray, np.ndarray],
    domain: Domain | None = None,
    variables: Sequence[str] | None = None,
    *,
    method: str = "grammar",
    n_samples: int = 1000,
    max_terms: int = 8,
    degree: int | None = None,
    complexity_weight: float = 0.1,
    constant_tol: float = 1e-3,
    accuracy: float | None = None,
    max_noise: float = 0.3,
    max_free_constants: int = 3,
    extrapolation: Domain | None = None,
    time_budget: float = 20.0,
    budget_clock: str = "wall",
    structure: bool = True,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_best: Callable[[Candidate], None] | None = None,
) -> Distillation:
    """Search a closed-form formula that reproduces a trained model or a data set.

    Parameters
    ----------
    source : callable or (X, y)
        A function ``f(X) -> y`` of an ``(n, d)`` array (a trained network's predict,
        any vectorised function), sampled on ``domain``; or a data set ``(X, y)``.
    domain : sequence of (low, high), optional
        Box to sample (required for a callable; for data the data's range by default).
    variables : sequence of str, optional
        Names of the inputs (``x`` in 1-D, ``x1, x2, …`` otherwise by default).
    method : {"grammar", "gplearn"}
        The grammar search of :mod:`nnkit.symbolic.search` (``"sparse"`` is accepted
        as its old name), or genetic programming with gplearn.
    n_samples : int, default 1000
        Points sampled from a callable; a larger data set is subsampled (seeded).
    max_terms : int, default 8
        Most terms in a sum.
    degree : int, optional
        Highest total degree of the polynomial stage (default by dimension).
    complexity_weight : float, default 0.1
        Weight of complexity when no formula is exact (see :func:`description_length`).
    constant_tol : float, default 1e-3
        Samples whose spread is below ``constant_tol`` times their mean magnitude are
        constant: status ``"constant"``.
    accuracy : float, optional
        Relative accuracy of the source (RMSE / std of the samples), used as its noise
        level: pass a trained network's training error. Default: estimated from the
        samples (:func:`nnkit.symbolic.noise.estimate_noise`; ≈ 0 without noise).
    max_noise : float, default 0.3
        Above this relative noise level the samples hold no law to distil: status
        ``"none"`` (the best candidates are still listed).
    max_free_constants : int, default 3
        A formula with more fitted numbers that did not snap to simple values is not
        called exact even when it matches the samples: a long enough series (a Taylor
        polynomial of cos) matches any smooth function to 10⁻⁹.
    extrapolation : sequence of (low, high), optional
        Window for extrapolation checks (default: :func:`widen_domain` of ``domain``).
    time_budget : float, default 20
        Seconds for the whole search; it stops there keeping what it found.
    budget_clock : {"wall", "cpu"}
        How gplearn's ``time_budget`` is counted.
    structure : bool, default True
        For two or more inputs, detect separability and symmetries first
        (:mod:`nnkit.symbolic.structure`) and search the parts.
    data : (X, y), optional
        The samples a network ``source`` was trained on. The search runs on the
        network (dense samples, its structure), then the best formulas' constants are
        refitted on these data and the labels judge them against the data's own noise
        level, which a network's smooth error does not blur. Ignored for a data source.
    seed : int, default 0
        Seed for sampling and for gplearn.
    progress : callable, optional
        ``progress(stage: str, fraction: float)`` as the search advances.
    should_stop : callable, optional
        Polled during the search; when it returns True the search ends with what it has.
    on_best : callable, optional
        Called with each formula more accurate than all before it (to show the best so
        far while searching).

    Returns
    -------
    Distillation
    """
    t0 = time.perf_counter()
    report = progress or (lambda stage, f: None)
    if method == "sparse":
        method = "grammar"
    if method not in ("grammar", "gplearn"):
        raise ValueError(f"unknown method {method!r}: use 'grammar' or 'gplearn'")
    report("sampling", 0.0)
    X, y, domain_t = _as_samples(source, domain, n_samples, seed)
    if not np.all(np.isfinite(y)):
        raise ValueError("the source returned NaN or infinite values on the domain")
    symbols = _symbols(variables, X.shape[1])
    extrap = tuple(extrapolation) if extrapolation is not None else widen_domain(domain_t)
    ymean, ystd = float(y.mean()), float(y.std())

    if ystd <= constant_tol * max(abs(ymean), 1e-12) or ystd == 0.0:
        c = _simple_constant(ymean, ystd)
        cand = Candidate(
            expr=c,
            complexity=1,
            rmse=ystd,
            nrmse=1.0,
            n_terms=0,
            free_constants=0,
            method=method,
            exact=True,
        )
        pct = 100 * ystd / abs(ymean) if ymean else 0.0
        msg = (
            f"The target is constant: the samples vary by only {ystd:.3g} ({pct:.2g} % of "
            f"their mean {ymean:.4g}), so there is no structure to distil beyond f = {c}."
        )
        return Distillation(
            "constant",
            msg,
            cand,
            [cand],
            _front_frame([cand], cand),
            symbols,
            domain_t,
            extrap,
            X,
            y,
            method,
            time.perf_counter() - t0,
            0,
            {
                "noise": 0.0,
                "noise_source": "estimated",
                "threshold": 0.0,
                "stopped": "",
                "stage": "",
            },
        )

    given = accuracy is not None
    noise = float(accuracy) if given else estimate_noise(X, y)  # type: ignore[arg-type]
    noise = max(noise, 0.0)
    source_noise = noise
    verify = None
    verify_search_samples = (X, y)
    if data is not None and callable(source):
        Xv, yv, _ = _as_samples(data, domain_t, max(n_samples, len(data[1])), seed)
        if float(np.std(yv)) > 0:
            noise_v = estimate_noise(Xv, yv)
            verify = (Xv, yv, noise_v)
            # from here on the formulas are judged on the data
            X, y, noise, given = Xv, yv, noise_v, False
    threshold = exact_threshold(noise, len(y))
    info: dict[str, Any] = {
        "noise": noise,
        "noise_source": "given" if given else "estimated",
        "threshold": threshold,
        "stopped": "",
        "stage": "",
        "judged_on": "data" if verify is not None or not callable(source) else "source",
    }

    def candidates_of(exprs: Sequence[tuple[sp.Expr, str]]) -> list[Candidate]:
        out: dict[sp.Expr, Candidate] = {}
        for e, how in exprs:
            if e in out:
                continue
            c = candidate_from(e, X, y, symbols, threshold, how, max_free_constants)
            if c is not None:
                out[e] = c
        return list(out.values())

    if method == "grammar":
        from nnkit.symbolic.distil import grammar_search

        Xs, ys = verify_search_samples if verify is not None else (X, y)
        exprs, search_info = grammar_search(
            source,
            Xs,
            ys,
            symbols,
            domain_t,
            source_noise,
            time_budget=time_budget,
            max_terms=max_terms,
            degree=degree,
            structure=structure,
            report=report,
            should_stop=should_stop,
            on_best=on_best,
            t0=t0,
            seed=seed,
            slack=source_noise if accuracy is not None else 0.0,
            gradient=getattr(source, "gradient", None) if callable(source) else None,
            verify=verify,
        )
        info.update(search_info)
        cands = candidates_of(exprs)
        size = int(search_info.get("n_models", len(cands)))
    else:
        from nnkit.symbolic.gp import gplearn_candidates

        gp, gp_info = gplearn_candidates(
            X,
            y,
            symbols,
            time_budget=time_budget,
            seed=seed,
            clock=budget_clock,
            progress=lambda f: report("genetic programming", f),
            should_stop=should_stop,
            on_best=on_best,
        )
        info.update(gp_info)
        cands = candidates_of([(c.expr, "gplearn") for c in gp])
        size = len(cands)
    if not cands:
        raise ValueError("the search produced no finite formula")
    report("choosing", 0.98)
    cands.sort(key=lambda c: (c.complexity, c.nrmse))
    if not given:
        revised = _noise_bound(cands, len(y))
        if revised < noise:
            # a formula with few fitted numbers leaves less than the estimated noise: the
            # samples are smoother than the estimate says (too sparse for local
            # differences), and the noise is at most that residual
            noise, threshold = revised, exact_threshold(revised, len(y))
            info.update(noise=noise, threshold=threshold, noise_source="bounded by a formula")
            cands = [
                replace(
                    c, exact=bool(c.nrmse <= threshold and c.free_constants <= max_free_constants)
                )
                for c in cands
            ]
    exact = [c for c in cands if c.exact]
    if noise > max_noise:
        status = "none"
        best = min(cands, key=lambda c: c.nrmse)
        msg = (
            f"No law to distil: the samples' own noise is {100 * noise:.0f} % of their spread "
            f"(above {100 * max_noise:.0f} %), so any formula only fits the noise. The best "
            "candidates are listed for what they are worth."
        )
    elif exact:
        status = "exact"
        best = min(exact, key=lambda c: (c.complexity + 2 * c.free_constants, c.nrmse))
        level = (
            f"the source's accuracy, {percent(noise)}"
            if given
            else f"their estimated noise level, {percent(noise)}"
        )
        msg = (
            f"Exact: the formula (complexity {best.complexity}, {best.free_constants} "
            f"unsnapped constant{'s' if best.free_constants != 1 else ''}) reproduces the "
            f"{len(y)} samples to {level} (its relative error is {percent(best.nrmse)})."
        )
    else:
        status = "approximation"
        # the best trade-off among formulas that explain most of the variation (R² > 0.75)
        useful = [c for c in cands if c.nrmse < 0.5] or [min(cands, key=lambda c: c.nrmse)]
        best = min(useful, key=lambda c: description_length(c, complexity_weight, noise))
        why = {"time": " within the time budget", "stopped": " before the search was stopped"}
        msg = (
            f"Approximation, error {percent(best.nrmse)}: no formula found"
            f"{why.get(info.get('stopped', ''), '')} reproduces the samples to their noise "
            f"level ({percent(noise)}) with at most {max_free_constants} fitted numbers. The "
            "Pareto front lists the best trade-offs between complexity and error."
        )
    report("done", 1.0)
    return Distillation(
        status,
        msg,
        best,
        cands,
        _front_frame(cands, best),
        symbols,
        domain_t,
        extrap,
        X,
        y,
        method,
        time.perf_counter() - t0,
        size,
        info,
    )


def _noise_bound(cands: Sequence[Candidate], n: int) -> float:
    """Upper bound on the relative noise: the residual of a formula with few fitted numbers.

    A formula with ``p`` fitted numbers leaves ``σ·√(1 − p/n)`` of pure noise σ, so
    ``nrmse / √(1 − p/n)`` bounds σ; only formulas with ``p ≤ n/10`` count (a formula
    with many numbers can follow the noise itself).
    """
    bound = float("inf")
    for c in cands:
        p = c.n_terms + 1 + c.free_constants
        if p <= n / 10:
            bound = min(bound, c.nrmse / math.sqrt(1.0 - p / n))
    return bound


def percent(v: float) -> str:
    """A relative error (a fraction, e.g. RMSE / std) as a percentage with sensible digits.

    ``"≈ 0 %"`` below 10⁻⁹ (round-off); ``"2.0e-05 %"`` below 10⁻⁴; two significant
    digits up to 10 %; whole percents up to 1,000 %; ``"2.6e+09 %"`` beyond: the form
    every message of :mod:`nnkit.symbolic` uses.

    >>> percent(0.0312), percent(2e-7), percent(3e-16), percent(1.0), percent(2.6e7)
    ('3.1 %', '2.0e-05 %', '≈ 0 %', '100 %', '2.6e+09 %')
    >>> percent(float("nan")), percent(float("inf"))
    ('NaN (no number)', 'infinite')
    """
    if math.isnan(v):  # a diverged network's error: "nan %" would read as a typo
        return "NaN (no number)"
    if math.isinf(v):  # a formula that overflows somewhere: not "inf %"
        return "infinite"
    pct = 100 * v
    if v < 1e-9:
        return "≈ 0 %"
    if v < 1e-4 or pct >= 1000:
        return f"{pct:.1e} %"
    return f"{pct:.0f} %" if pct >= 10 else f"{pct:.2g} %"  # not "1e+02 %" for 100 %
