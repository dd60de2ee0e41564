"""Sparse regression over the candidate library: screening, then best-subset selection.

Plain Lasso or sequentially thresholded least squares over a large library returns
dense models, because library columns are nearly collinear (``sin x ≈ x`` on [0, 1]).
Here the search looks for the best *few* terms instead:

1. **Beam search with swaps** over the whole library: grow subsets one term at a time
   keeping the ``width`` best of each size (the residual sum of squares of every
   one-term extension is computed at once by projection), then improve each subset
   by swapping single terms for better ones until none helps.
2. **Screening + exhaustive best subset**: the terms that appear in the beam's
   subsets form a small pool; every subset of up to ``exhaustive_terms`` terms of that
   pool is solved exactly (batched normal equations).

The result is, for every number of terms k, a short list of the best subsets found.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

__all__ = ["SubsetSearch", "best_subsets"]


class SubsetSearch:
    """Best subsets of columns of ``Z`` for predicting ``y`` (both centred).

    Parameters
    ----------
    Z : numpy.ndarray, shape (n, m)
        Centred library columns with unit norm.
    y : numpy.ndarray, shape (n,)
        Centred target.
    """

    def __init__(self, Z: np.ndarray, y: np.ndarray, G: np.ndarray | None = None) -> None:
        self.Z = Z
        self.y = y
        self.yy = float(y @ y)
        self.Zy = Z.T @ y
        # Everything below works in the m-dimensional Gram space: O(m k²) per step
        # instead of O(n m k).
        self.G = Z.T @ Z if G is None else G
        self.found: dict[tuple[int, ...], float] = {}

    # ------------------------------------------------------------------ basics
    def rss(self, subset: tuple[int, ...]) -> float:
        """Residual sum of squares of the least-squares fit on ``subset``."""
        if subset in self.found:
            return self.found[subset]
        if not subset:
            return self.yy
        A = self.Z[:, list(subset)]
        coef, *_ = np.linalg.lstsq(A, self.y, rcond=None)
        r = self.y - A @ coef
        value = float(r @ r)
        self.found[subset] = value
        return value

    def extensions(self, subset: tuple[int, ...]) -> np.ndarray:
        """RSS of ``subset + (j,)`` for every column j (inf for j in subset or collinear)."""
        if subset:
            s = list(subset)
            Gss = self.G[np.ix_(s, s)] + 1e-13 * np.eye(len(s))
            try:
                L = np.linalg.cholesky(Gss)
            except np.linalg.LinAlgError:
                return np.full(self.Z.shape[1], np.inf)
            beta = np.linalg.solve(Gss, self.Zy[s])
            rr = self.yy - float(self.Zy[s] @ beta)
            W = np.linalg.solve(L, self.G[s, :])  # L^-1 G_S,:
            resid_norm = 1.0 - np.einsum("ij,ij->j", W, W)
            zr = self.Zy - self.G[:, s] @ beta
        else:
            rr = self.yy
            resid_norm = np.ones(self.Z.shape[1])
            zr = self.Zy.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(resid_norm > 1e-7, zr**2 / resid_norm, -np.inf)
        if subset:
            gain[list(subset)] = -np.inf
        return rr - gain

    # ------------------------------------------------------------------ searches
    def all_pairs(self) -> np.ndarray:
        """RSS of every pair (i, j), i < j, as an (m, m) array (inf elsewhere)."""
        G, b = self.G, self.Zy
        det = 1.0 - G**2
        with np.errstate(divide="ignore", invalid="ignore"):
            fit = (b[:, None] ** 2 + b[None, :] ** 2 - 2 * G * b[:, None] * b[None, :]) / det
            rss = np.where(det > 1e-7, self.yy - fit, np.inf)
        rss[np.tril_indices(len(b))] = np.inf
        return rss

    def pair_extensions(self, pairs: np.ndarray) -> np.ndarray:
        """RSS of ``(i, j, l)`` for every pair row ``(i, j)`` and every column l: (p, m) array.

        The two-term projection is written out in closed form so that all pairs are
        handled in one vectorised step (columns have unit norm, so G_ii = 1).
        """
        i, j = pairs[:, 0], pairs[:, 1]
        G, b = self.G, self.Zy
        g = G[i, j]
        s = np.sqrt(np.maximum(1.0 - g**2, 1e-300))
        w0 = G[i, :]
        w1 = (G[j, :] - g[:, None] * w0) / s[:, None]
        # coefficients of the target on the orthonormalised pair (q0, q1)
        c0 = b[i]
        c1 = (b[j] - g * c0) / s
        rr = self.yy - c0**2 - c1**2
        resid_norm = 1.0 - w0**2 - w1**2
        zr = b[None, :] - c0[:, None] * w0 - c1[:, None] * w1
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(resid_norm > 1e-7, zr**2 / resid_norm, -np.inf)
        rows = np.arange(len(pairs))
        gain[rows, i] = -np.inf
        gain[rows, j] = -np.inf
        return rr[:, None] - gain

    def beam(self, max_terms: int, width: int, start: list[tuple[int, ...]] | None = None) -> None:
        """Grow subsets term by term, keeping the ``width`` best of each size."""
        beams: list[tuple[int, ...]] = start if start else [()]
        size = len(beams[0])
        for _ in range(max_terms - size):
            cands: dict[tuple[int, ...], float] = {}
            for s in beams:
                ext = self.extensions(s)
                k = min(width, int(np.isfinite(ext).sum()))
                if k == 0:
                    continue
                for j in np.argpartition(ext, k - 1)[:k]:
                    if np.isfinite(ext[j]):
                        key = tuple(sorted(s + (int(j),)))
                        cands[key] = min(cands.get(key, np.inf), float(ext[j]))
            if not cands:
                break
            beams = sorted(cands, key=cands.__getitem__)[:width]
            for s in beams:
                self.found.setdefault(s, cands[s])

    def swap(self, subset: tuple[int, ...], max_passes: int = 4) -> tuple[int, ...]:
        """Replace single terms of ``subset`` while that lowers the RSS."""
        current, best = subset, self.rss(subset)
        for _ in range(max_passes):
            improved = False
            for i in range(len(current)):
                rest = current[:i] + current[i + 1 :]
                ext = self.extensions(rest)
                j = int(np.argmin(ext))
                if np.isfinite(ext[j]) and ext[j] < best * (1 - 1e-9) and j not in current:
                    current = tuple(sorted(rest + (j,)))
                    best = float(ext[j])
                    self.found.setdefault(current, best)
                    improved = True
            if not improved:
                break
        return current

    def exhaustive(self, pool: list[int], max_terms: int, max_subsets: int = 100_000) -> None:
        """Solve every subset of ``pool`` with up to ``max_terms`` terms.

        Sizes with more than ``max_subsets`` subsets are skipped.
        """
        Zp = self.Z[:, pool]
        G = Zp.T @ Zp
        b = Zp.T @ self.y
        for k in range(1, max_terms + 1):
            if math.comb(len(pool), k) > max_subsets:
                continue
            combos = itertools.combinations(range(len(pool)), k)
            kept: list[tuple[float, tuple[int, ...]]] = []
            while True:
                chunk = list(itertools.islice(combos, 20_000))
                if not chunk:
                    break
                idx = np.array(chunk)
                Gs = G[idx[:, :, None], idx[:, None, :]] + 1e-12 * np.eye(k)
                bs = b[idx]
                try:
                    beta = np.linalg.solve(Gs, bs[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    continue
                rss = self.yy - np.einsum("ij,ij->i", bs, beta)
                for t in np.argsort(rss)[:10]:
                    kept.append((float(rss[t]), chunk[t]))
            for _, combo in sorted(kept)[:10]:
                key = tuple(sorted(pool[c] for c in combo))
                self.found.setdefault(key, self.rss(key))

    def best_by_size(self, per_size: int) -> dict[int, list[tuple[tuple[int, ...], float]]]:
        """The ``per_size`` lowest-RSS subsets found so far, for every size."""
        out: dict[int, list[tuple[tuple[int, ...], float]]] = {}
        for s, v in self.found.items():
            out.setdefault(len(s), []).append((s, v))
        return {k: sorted(v, key=lambda t: t[1])[:per_size] for k, v in sorted(out.items())}


def best_subsets(
    Z: np.ndarray,
    y: np.ndarray,
    max_terms: int = 8,
    width: int = 24,
    pairs: int = 1500,
    pool_size: int = 24,
    exhaustive_terms: int = 4,
    per_size: int = 4,
    progress: Callable[[float], None] | None = None,
    gram: np.ndarray | None = None,
) -> dict[int, list[tuple[tuple[int, ...], float]]]:
    """Best subsets of library columns, per number of terms.

    Every single term and every pair of terms is solved exactly; the ``pairs`` best
    pairs are extended by every third term; from the ``width`` best triples a beam
    grows larger subsets. Then a screened pool (the terms those subsets use most,
    plus the terms most correlated with the target) is searched exhaustively up to
    ``exhaustive_terms`` terms, and the best subsets of each size are improved by
    single-term swaps.

    Parameters
    ----------
    Z : numpy.ndarray, shape (n, m)
        Centred, unit-norm library columns.
    y : numpy.ndarray, shape (n,)
        Centred target.
    max_terms : int, default 8
        Largest number of terms (besides the constant).
    width : int, default 24
        Beam width from three terms on.
    pairs : int, default 1500
        Number of best pairs extended to triples.
    pool_size : int, default 24
        Size of the screened pool searched exhaustively.
    exhaustive_terms : int, default 4
        Largest subset size searched exhaustively inside the pool.
    per_size : int, default 4
        Subsets returned per size.
    progress : callable, optional
        Called with a fraction in [0, 1] as the search advances.
    gram : numpy.ndarray, optional
        ``Z.T @ Z`` if already computed.

    Returns
    -------
    dict
        ``{k: [(column indices, rss), ...]}`` sorted by RSS.
    """
    report = progress or (lambda f: None)
    search = SubsetSearch(Z, y, gram)
    m = Z.shape[1]
    # one and two terms: exact, all of them
    single = search.extensions(())
    for j in np.argsort(single)[: 4 * per_size]:
        search.found[(int(j),)] = float(single[j])
    pair_rss = search.all_pairs()
    order = np.argsort(pair_rss, axis=None)[: max(pairs, width)]
    top_pairs = []
    for flat in order:
        i, j = divmod(int(flat), m)
        if np.isfinite(pair_rss[i, j]):
            top_pairs.append((i, j))
            if len(top_pairs) <= 4 * per_size:
                search.found[(i, j)] = float(pair_rss[i, j])
    report(0.1)
    beams: list[tuple[int, ...]] = [tuple(p) for p in top_pairs]
    if max_terms >= 3:
        cands: dict[tuple[int, ...], float] = {}
        pair_arr = np.array(top_pairs, dtype=int).reshape(-1, 2)
        for start in range(0, len(pair_arr), 250):
            chunk = pair_arr[start : start + 250]
            ext = search.pair_extensions(chunk)
            k = min(8, m - 2)
            best_l = np.argpartition(ext, k - 1, axis=1)[:, :k]
            for r, pair in enumerate(chunk):
                for col in best_l[r]:
                    v = ext[r, col]
                    if np.isfinite(v):
                        key = tuple(sorted((int(pair[0]), int(pair[1]), int(col))))
                        cands[key] = min(cands.get(key, np.inf), float(v))
            report(0.1 + 0.4 * min(1.0, (start + 250) / len(pair_arr)))
        beams = sorted(cands, key=cands.__getitem__)[:width]
        for key in sorted(cands, key=cands.__getitem__)[: 4 * per_size]:
            search.found[key] = cands[key]
        search.beam(max_terms, width, start=beams)
    report(0.6)
    # Screening: the pool is made of the terms the search used most, plus the terms
    # most correlated with the target on their own.
    counts: dict[int, float] = {}
    for s in search.found:
        for j in s:
            counts[j] = counts.get(j, 0.0) + 1.0 / (1.0 + len(s))
    marginal = np.argsort(-np.abs(search.Zy))[: max(4, pool_size // 4)]
    pool = [int(j) for j in marginal]
    for j in sorted(counts, key=lambda j: -counts[j]):
        if len(pool) >= pool_size:
            break
        if j not in pool:
            pool.append(j)
    if m <= pool_size + 8:  # a small library is searched exhaustively as a whole
        pool = list(range(m))
    search.exhaustive(pool, min(max_terms, len(pool)))
    report(0.7)
    best = search.best_by_size(2)
    todo = [s for k, v in best.items() for s, _ in v if k >= 2]
    for i, s in enumerate(todo):
        search.swap(s)
        report(0.7 + 0.3 * (i + 1) / len(todo))
    return search.best_by_size(per_size)
