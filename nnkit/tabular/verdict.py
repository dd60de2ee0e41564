"""What a comparison table says, computed from it: who wins, by how much, and what a line can do.

:func:`verdict` reads a :func:`~nnkit.tabular.compare` table (test R² for a regression,
test accuracy for a classification) and returns a :class:`Verdict` whose sentences are
built from those numbers only, so they cannot contradict the table above them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

__all__ = ["LINEAR_BEHIND", "TIE", "Verdict", "verdict"]

TIE = 0.005
"""Two scores (R², or accuracy as a fraction) closer than this are "within" each other."""

LINEAR_BEHIND = 0.02
"""The linear baseline this far below the best score is "behind": the data are not linear."""

_CUT_SHORT = {
    "time_limit": "the time budget ran out",
    "epoch_limit": "the epoch cap was reached",
    "stopped": "you stopped it",
    "abandoned": "the page that watched it went away",
}

_TASKS = {
    # the score compared, the linear baseline
    "regression": ("R²", "ridge"),
    "classification": ("accuracy", "logistic regression"),
}


def _called(model: str) -> str:
    names = {"MLP": "the MLP", "mean": "the mean predictor", "majority": "the majority class"}
    return names.get(model, model)


@dataclass(frozen=True)
class Verdict:
    """What a :func:`~nnkit.tabular.compare` table shows, computed from it (see :func:`verdict`).

    Attributes
    ----------
    metric : str
        The score compared: ``"R²"`` or ``"accuracy"`` (higher is better).
    scores : dict of str to float
        Test score by model.
    best_baseline : str
        The baseline with the highest score.
    mlp_gap : float or None
        MLP minus best baseline (None without an "MLP" row).
    linear : str
        The linear baseline ("ridge" or "logistic regression").
    linear_gap : float
        Best score of any model minus the linear baseline's (0 when it is best).
    best : str
        The model with the highest score.
    cut_short : str or None
        Why the MLP's training ended early, when it did not end by itself.
    """

    metric: str
    scores: dict[str, float]
    best_baseline: str
    mlp_gap: float | None
    linear: str
    linear_gap: float
    best: str
    cut_short: str | None = None

    @property
    def linear_behind(self) -> bool:
        """The linear baseline is more than :data:`LINEAR_BEHIND` below the best model."""
        return self.linear_gap > LINEAR_BEHIND

    def _score(self, x: float) -> str:
        if not math.isfinite(x):
            return "n/a"
        return f"{x:.1%}" if self.metric == "accuracy" else f"{x:.4f}"

    def _diff(self, d: float) -> str:
        return f"{100 * d:+.1f} points" if self.metric == "accuracy" else f"{d:+.4f}"

    def _size(self, d: float) -> str:
        return f"{100 * d:.1f} points" if self.metric == "accuracy" else f"{d:.3f}"

    def text(self) -> str:
        """The "what you see" sentences.

        Returns
        -------
        str
            Markdown.
        """
        s, base, m = self.scores, self.best_baseline, self.metric
        if self.mlp_gap is None:
            out = (
                f"The best baseline is {_called(base)} with a test {m} of "
                f"**{self._score(s[base])}**; {self._others()} That is the bar the MLP has to "
                "clear."
            )
        elif not math.isfinite(self.mlp_gap):
            out = (
                f"The MLP's test {m} is **n/a**: its predictions are not finite numbers. The "
                f"best baseline, {_called(base)}, reaches {self._score(s[base])}."
            )
        else:
            gap = self.mlp_gap
            tie = self._size(TIE)
            rel = (
                "better than" if gap > TIE else f"within {tie} of" if gap >= -TIE else "worse than"
            )
            out = (
                f"The MLP's test {m} is **{self._score(s['MLP'])}**, {rel} the best baseline, "
                f"{_called(base)} (**{self._score(s[base])}**, difference {self._diff(gap)}); "
                + self._others()
            )
            if self.cut_short:
                out += (
                    f" Its training was cut short ({self.cut_short}), so this is not the "
                    "network's last word: press Continue to train it further."
                )
        return (out + " " + self._line()).strip()

    def _others(self) -> str:
        rest = [x for x in self.scores if x not in ("MLP", self.best_baseline)]
        parts = [f"{_called(x)} reaches {self._score(self.scores[x])}" for x in rest]
        return (" and ".join(parts) + ".") if parts else ""

    def _line(self) -> str:
        lin = self.linear
        if lin not in self.scores or not math.isfinite(self.linear_gap):
            return ""
        name = lin[0].upper() + lin[1:]
        straight = "a straight line in the features" if lin == "ridge" else "a straight boundary"
        if self.best == lin:
            return (
                f"{name}, {straight}, is the best model here: what the others learn beyond a "
                "line does not help on these test rows."
            )
        if self.linear_behind:
            why = (
                "the target depends on the features in a way a straight line cannot follow."
                if lin == "ridge"
                else "the classes are not separated by a straight boundary in the features."
            )
            return f"{name} is {self._size(self.linear_gap)} behind {_called(self.best)}: {why}"
        what = "explains this target" if lin == "ridge" else "separates these classes"
        return (
            f"{name} is within {self._size(self.linear_gap)} of {_called(self.best)}: "
            f"{straight} {what} almost as well."
        )


def verdict(table: pd.DataFrame, *, mlp_stop_reason: str | None = None) -> Verdict:
    """Which model wins and by how much, computed from a :func:`~nnkit.tabular.compare` table.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~nnkit.tabular.compare`: the baselines, and an "MLP" row if trained;
        an ``accuracy`` column makes it a classification, else ``R²`` is compared.
    mlp_stop_reason : str, optional
        Why the MLP's last run ended (a key of :data:`nnkit.training.STOP_REASONS`): a
        run cut by a cap or by the user is said to be unfinished.

    Returns
    -------
    Verdict
    """
    task = "classification" if "accuracy" in table.columns else "regression"
    metric, linear = _TASKS[task]
    s = {str(m): float(v) for m, v in zip(table["model"], table[metric], strict=True)}
    baselines = [m for m in s if m != "MLP"]
    finite = [m for m in s if math.isfinite(s[m])] or list(s)
    best_baseline = max(baselines, key=lambda m: s[m] if math.isfinite(s[m]) else -math.inf)
    best = max(finite, key=lambda m: s[m])
    mlp_gap = s["MLP"] - s[best_baseline] if "MLP" in s else None
    linear_gap = max(s[best] - s[linear], 0.0) if linear in s else math.nan
    cut = _CUT_SHORT.get(mlp_stop_reason or "")
    return Verdict(metric, s, best_baseline, mlp_gap, linear, linear_gap, best, cut)
