"""``distill``: from a trained network (any callable, or a data set) to a formula."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count
from nnkit.symbolic.library import build_library
from nnkit.symbolic.snap import simple_values, snap_linear
from nnkit.symbolic.sparse import best_subsets

__all__ = [
    "Candidate",
    "Distillation",
    "distill",
    "pareto_front",
    "sample_domain",
    "widen_domain",
    "score_on",
    "estimate_noise",
    "description_length",
    "ERROR_FLOOR",
]

Domain = Sequence[tuple[float, float]]
Progress = Callable[[str, float], None]

#: Relative errors below this are numerically zero for model choice.
ERROR_FLOOR = 1e-6


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
        Number of non-constant terms.
    free_constants : int
        Coefficients that did not snap to a simple value (rational or rational·π).
    method : str
        ``"sparse"`` or ``"gplearn"``.
    """

    expr: sp.Expr
    complexity: int
    rmse: float
    nrmse: float
    n_terms: int
    free_constants: int
    method: str = "sparse"

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
        ``"found"`` (a formula matches the samples within ``max_error``),
        ``"constant"`` (the samples do not vary: nothing beyond a constant),
        ``"none"`` (no formula of the searched kind matches: see ``candidates``).
    message : str
        One honest sentence about the outcome, computed from the numbers.
    best : Candidate
        The chosen formula (by description length; for ``"none"`` the best try).
    candidates : list of Candidate
        Every distinct formula evaluated, sorted by complexity.
    front : pandas.DataFrame
        The complexity/error Pareto front: columns ``complexity``, ``nrmse``, ``r2``,
        ``formula``, ``latex``, ``chosen``.
    symbols : tuple of sympy.Symbol
    domain, extrapolation : tuple of (low, high)
        Sampled domain and the wider window used to test extrapolation.
    X, y : numpy.ndarray
        The samples the search used.
    method : str
    seconds : float
        Wall time of the search.
    library_size : int
        Number of candidate terms (sparse method).
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
    method: str = "sparse"
    seconds: float = 0.0
    library_size: int = 0
    info: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.status == "found"

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


# ---------------------------------------------------------------------------- front
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
    the error by ≈10 %, a typical extra term (≈5 nodes) by ≈40 %. Errors below
    ``accuracy`` (the source's own relative accuracy: a network is only so close to
    the truth) do not count, so a formula is never rewarded for fitting the
    network's own error.
    """
    floor = max(accuracy, ERROR_FLOOR)
    return math.log(max(c.nrmse, floor)) + weight * (c.complexity + 2 * c.free_constants)


def estimate_noise(X: np.ndarray, y: np.ndarray) -> float:
    """Noise level of a data set from nearest-neighbour differences, relative to std(y).

    For a smooth function sampled densely, ``y_i − y_{nn(i)}`` is dominated by the
    noise, whose variance is half the mean squared difference. Inputs are scaled to
    [0, 1] first. Returns a number in [0, ~1.4].
    """
    from scipy.spatial import cKDTree

    X = np.asarray(X, dtype=float)
    span = X.max(axis=0) - X.min(axis=0)
    Xs = (X - X.min(axis=0)) / np.where(span > 0, span, 1.0)
    _, idx = cKDTree(Xs).query(Xs, k=2)
    d = y - y[idx[:, 1]]
    std = float(np.std(y))
    return float(np.sqrt(np.mean(d**2) / 2) / std) if std > 0 else 0.0


def _front_frame(cands: Sequence[Candidate], chosen: Candidate) -> pd.DataFrame:
    front = pareto_front(cands)
    return pd.DataFrame(
        {
            "complexity": [c.complexity for c in front],
            "nrmse": [c.nrmse for c in front],
            "r2": [c.r2 for c in front],
            "formula": [c.text for c in front],
            "latex": [c.latex for c in front],
            "chosen": [c.expr == chosen.expr for c in front],
        }
    )


# ---------------------------------------------------------------------------- distill
def _simple_constant(mean: float, spread: float) -> sp.Expr:
    """The simplest number within the spread of the samples (else the mean as a float)."""
    for _, v in simple_values(mean):
        if abs(float(v) - mean) <= max(spread, 1e-12 * abs(mean)):
            return v
    return sp.Float(mean, 15)


def _as_samples(source, domain, n_samples, seed, n_vars):
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


def _symbols(variables, d) -> tuple[sp.Symbol, ...]:
    if variables is None:
        variables = ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d))
    if len(variables) != d:
        raise ValueError(f"{len(variables)} variable names for {d} input columns")
    return tuple(v if isinstance(v, sp.Symbol) else sp.Symbol(str(v), real=True) for v in variables)


def _linear_candidate(terms, coefs, rmse: float, ystd: float) -> Candidate:
    """``Σ coef·term`` from (exact or None, float) coefficient pairs."""
    expr = sp.Integer(0)
    free = n_terms = 0
    for t, (e, b) in zip(terms, coefs, strict=True):
        coef = sp.Float(float(b), 15) if e is None else e
        if coef != 0:
            expr += coef * t
            n_terms += t != 1
            free += e is None
    return Candidate(expr=expr, complexity=node_count(expr), rmse=rmse, nrmse=rmse / ystd,
                     n_terms=int(n_terms), free_constants=int(free))


LEVELS = (
    ("polynomials", {"polynomial_only": True}),  # 1-D: up to degree + 3
    ("elementary terms", {"products": False}),
    ("products of pairs", {"products": True}),
)
"""The nested libraries searched in turn: each is richer than the one before."""


def _sparse_candidates(X, y, symbols, domain, degree, max_terms, accuracy, report):
    ymean, ystd = float(y.mean()), float(y.std())
    n = len(y)
    abs_tol = max(1e-9 * (ystd + abs(ymean)), min(accuracy, 0.05) * ystd)
    cands: dict[sp.Expr, Candidate] = {}
    size = 0
    levels = LEVELS
    for li, (label, kwargs) in enumerate(levels):
        # pure polynomials are cheap: in 1-D they go three degrees higher
        deg = degree + 3 if kwargs.get("polynomial_only") and len(symbols) == 1 else degree
        lib = build_library(X, symbols, domain, degree=deg, **kwargs)
        size = max(size, len(lib))
        if len(lib) == 0:
            continue

        stage = f"searching {label} ({len(lib)} terms)"

        def sub(f, li=li, stage=stage):
            report(stage, (li + 0.8 * f) / len(levels))

        found = best_subsets(lib.unit, y - ymean, max_terms=max_terms, progress=sub,
                             gram=lib.gram)
        for subsets in found.values():
            for subset, _ in subsets:
                A = np.column_stack([np.ones(n)] + [lib.values[:, j] for j in subset])
                terms = [sp.Integer(1)] + [lib.exprs[j] for j in subset]
                exact, beta, rmse = snap_linear(A, y, abs_tol=abs_tol)
                raw, *_ = np.linalg.lstsq(A, y, rcond=None)
                raw_rmse = float(np.sqrt(np.mean((y - A @ raw) ** 2)))
                # the snapped formula, and the plain least-squares one beside it
                for coefs, err in ((list(zip(exact, beta, strict=True)), rmse),
                                   ([(None, b) for b in raw], raw_rmse)):
                    cand = _linear_candidate(terms, coefs, err, ystd)
                    if cand.expr not in cands:
                        cands[cand.expr] = cand
    return list(cands.values()), size


def distill(
    source: Callable[[np.ndarray], np.ndarray] | tuple[np.ndarray, np.ndarray],
    domain: Domain | None = None,
    variables: Sequence[str] | None = None,
    *,
    method: str = "sparse",
    n_samples: int = 1000,
    degree: int = 6,
    max_terms: int = 8,
    max_error: float = 0.05,
    complexity_weight: float = 0.1,
    constant_tol: float = 1e-3,
    accuracy: float | None = None,
    max_source_error: float = 0.3,
    extrapolation: Domain | None = None,
    time_budget: float = 20.0,
    budget_clock: str = "wall",
    seed: int = 0,
    progress: Progress | None = None,
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
    method : {"sparse", "gplearn"}
        Sparse best-subset regression over a term library, or genetic programming.
    n_samples : int, default 1000
        Points sampled from a callable; a larger data set is subsampled (seeded) to
        this many rows.
    degree : int, default 6
        Highest power of each variable in the library.
    max_terms : int, default 8
        Most terms in a formula (sparse method).
    max_error : float, default 0.05
        Largest relative RMSE (``nrmse``, RMSE / std of the samples) accepted as a
        match, on top of the source's own ``accuracy``; above ``max_error + accuracy``
        the status is ``"none"``.
    complexity_weight : float, default 0.1
        Weight of complexity in the model choice (see :func:`description_length`).
    constant_tol : float, default 1e-3
        Samples whose spread is below ``constant_tol`` times their mean magnitude are
        constant: status ``"constant"``.
    accuracy : float, optional
        Relative accuracy of the source (RMSE / std of the samples): errors below it
        do not count in the model choice and snapping may use it as slack. Pass a
        trained network's training RMSE / std. Default: for a data set, the noise
        estimated by :func:`estimate_noise`; for a callable, 1e-6.
    max_source_error : float, default 0.3
        If the source's relative accuracy is worse than this (a network that could
        not fit its data, or data that are mostly noise), the status is ``"none"``:
        there is no law in it to distil.
    extrapolation : sequence of (low, high), optional
        Window for extrapolation checks (default: :func:`widen_domain` of ``domain``).
    time_budget : float, default 20
        Seconds of search for ``gplearn`` (the sparse search is not time-boxed).
    budget_clock : {"wall", "cpu"}
        How ``time_budget`` is counted: wall-clock, or CPU seconds of this process
        (fair comparisons on a shared machine).
    seed : int, default 0
        Seed for sampling and for gplearn.
    progress : callable, optional
        ``progress(stage: str, fraction: float)`` as the search advances.

    Returns
    -------
    Distillation
    """
    t0 = time.perf_counter()
    report = progress or (lambda stage, f: None)
    if method not in ("sparse", "gplearn"):
        raise ValueError(f"unknown method {method!r}: use 'sparse' or 'gplearn'")
    report("sampling", 0.0)
    X, y, domain_t = _as_samples(source, domain, n_samples, seed, None)
    if not np.all(np.isfinite(y)):
        raise ValueError("the source returned NaN or infinite values on the domain")
    symbols = _symbols(variables, X.shape[1])
    extrap = tuple(extrapolation) if extrapolation is not None else widen_domain(domain_t)
    ymean, ystd = float(y.mean()), float(y.std())

    if ystd <= constant_tol * max(abs(ymean), 1e-12) or ystd == 0.0:
        c = _simple_constant(ymean, ystd)
        cand = Candidate(expr=c, complexity=1, rmse=ystd,
                         nrmse=1.0, n_terms=0, free_constants=0, method=method)
        pct = 100 * ystd / abs(ymean) if ymean else 0.0
        msg = (f"The target is constant: the samples vary by only {ystd:.3g} ({pct:.2g} % of "
               f"their mean {ymean:.4g}), so there is no structure to distil beyond f = {c}.")
        return Distillation("constant", msg, cand, [cand], _front_frame([cand], cand), symbols,
                            domain_t, extrap, X, y, method, time.perf_counter() - t0, 0)

    info: dict = {}
    if accuracy is None:
        accuracy = ERROR_FLOOR if callable(source) else estimate_noise(X, y)
    accuracy = float(max(accuracy, ERROR_FLOOR))
    info["accuracy"] = accuracy
    if method == "sparse":
        cands, size = _sparse_candidates(X, y, symbols, domain_t, degree, max_terms, accuracy,
                                         report)
    else:
        from nnkit.symbolic.gp import gplearn_candidates

        cands, gp_info = gplearn_candidates(
            X, y, symbols, time_budget=time_budget, seed=seed, clock=budget_clock,
            progress=lambda f: report("genetic programming", f),
        )
        size = 0
        info.update(gp_info)
        if not cands:
            raise ValueError("gplearn produced no finite formula")
    report("choosing", 0.95)
    cands.sort(key=lambda c: (c.complexity, c.nrmse))
    best = min(cands, key=lambda c: description_length(c, complexity_weight, accuracy))
    most_accurate = min(cands, key=lambda c: c.nrmse)
    threshold = max_error + accuracy
    if accuracy > max_source_error:
        status = "none"
        best = most_accurate
        msg = (f"No simple formula found: the source itself is inaccurate (its relative error is "
               f"{accuracy:.2g}, above {max_source_error:g}), so it holds no law to distil — a "
               "network trained on noise, or data that are mostly noise. The best candidates are "
               "listed for what they are worth.")
    elif best.nrmse <= threshold:
        status = "found"
        msg = (f"Found a formula of complexity {best.complexity} with {best.n_terms} term(s) and "
               f"{best.free_constants} unsnapped constant(s): it matches the samples "
               f"with R² = {best.r2:.6f} (relative RMSE {best.nrmse:.2g}; the source's own relative "
               f"accuracy is {accuracy:.2g}).")
    else:
        status = "none"
        best = most_accurate
        msg = (f"No simple formula found: the best of {len(cands)} candidates leaves a relative "
               f"RMSE of {best.nrmse:.2g} (R² = {best.r2:.3f}), above the accepted "
               f"{threshold:.2g}. The target may be noise, or need terms outside the library.")
    report("done", 1.0)
    return Distillation(status, msg, best, cands, _front_frame(cands, best), symbols, domain_t,
                        extrap, X, y, method, time.perf_counter() - t0, size, info)
