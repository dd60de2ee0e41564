"""What a comparison table says, computed from it: who wins, by how much, why, and what a line can do.

:func:`verdict` reads a :func:`~nnkit.tabular.compare` table (test R² for a regression,
test accuracy for a classification) and returns a :class:`Verdict` whose sentences are
built from those numbers only, so they cannot contradict the table above them. Given
the :class:`Facts` of the data and the run (:func:`facts`: a capped target, map
coordinates, one-hot columns, few rows, the epoch the network stopped improving), it
also says *why* the winner wins — from those measured facts only, and only the ones
that favour the model that actually won.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nnkit.tabular.prepare import Prepared
from nnkit.tabular.profile import describe_target

__all__ = [
    "FEW_ROWS",
    "FEW_TEST_ROWS",
    "LINEAR_BEHIND",
    "LOG_LOSS_WORSE",
    "MANY_ONEHOT",
    "TIE",
    "Facts",
    "Verdict",
    "facts",
    "verdict",
]

TIE = 0.005
"""Two scores (R², or accuracy as a fraction) closer than this are "within" each other.
Accuracies on a known number of test rows are also within each other when they differ
by at most one of those rows (:attr:`Facts.n_test`): on 30 rows that is 3.3 points, and
one row decides nothing about the models."""

LINEAR_BEHIND = 0.02
"""The linear baseline this far below the best score is "behind": the data are not linear."""

FEW_ROWS = 2000
"""Fewer training rows than this are "few" for a network's many weights."""

FEW_TEST_ROWS = 50
"""A regression's R² on fewer test rows than this is said to depend on the split (on the
8 test rows of an uploaded 40-row table, gradient boosting scored exactly as the mean
predictor, -0.50, and the MLP 1.5 above both)."""

LOG_LOSS_WORSE = 0.1
"""The MLP's test log-loss this much (relative) above the lowest one is worth saying."""

MANY_ONEHOT = 0.5
"""When at least this share of the inputs are one-hot columns, the table is "mostly categorical"."""

_COORDINATE = re.compile(r"(?i)^(lat|lng|lon|long)$|latitude|longitude")


@dataclass(frozen=True)
class Facts:
    """What the data and the MLP's run show, measured: the only material a "why" may use.

    Attributes
    ----------
    n_train : int
        Training rows.
    n_inputs : int
        Inputs to every model (numeric + one-hot columns).
    n_onehot : int
        One-hot columns among them.
    cap : float or None
        The target's cap (regression), see :func:`~nnkit.tabular.describe_target`.
    capped_fraction : float
        Share of the training targets at the cap.
    coordinates : list of str
        Feature columns named like a latitude or a longitude.
    heavy_tailed : list of str
        Columns transformed by their quantiles.
    best_epoch : int or None
        The MLP's epoch with the lowest validation loss (the model kept).
    epochs : int or None
        Epochs the MLP trained.
    stop_reason : str or None
        Why its training ended (a key of :data:`nnkit.training.STOP_REASONS`).
    task : str
        ``"regression"`` or ``"classification"``.
    n_test : int or None
        Test rows the scores are measured on.
    """

    n_train: int
    n_inputs: int
    n_onehot: int
    cap: float | None = None
    capped_fraction: float = 0.0
    coordinates: list[str] = field(default_factory=list)
    heavy_tailed: list[str] = field(default_factory=list)
    best_epoch: int | None = None
    epochs: int | None = None
    stop_reason: str | None = None
    task: str = "regression"
    n_test: int | None = None

    @property
    def mostly_categorical(self) -> bool:
        """At least :data:`MANY_ONEHOT` of the inputs are one-hot columns."""
        return self.n_inputs > 0 and self.n_onehot / self.n_inputs >= MANY_ONEHOT

    @property
    def few_rows(self) -> bool:
        """Fewer than :data:`FEW_ROWS` training rows."""
        return self.n_train < FEW_ROWS

    def for_trees(self) -> list[str]:
        """Measured traits of this table that favour tree ensembles over a network."""
        out = []
        if self.cap is not None:
            out.append(
                f"the capped target ({100 * self.capped_fraction:.1f}% of the training rows sit "
                f"at {self.cap:,.6g}: a tree's leaf predicts that flat top exactly)"
            )
        if self.coordinates:
            out.append(
                f"the map coordinates ({', '.join(self.coordinates)}: trees cut the map into "
                "regions, a network must build each region from smooth pieces)"
            )
        if self.mostly_categorical:
            out.append(
                f"the one-hot columns ({self.n_onehot} of {self.n_inputs} inputs: a tree "
                "splits on one category at a time)"
            )
        if self.few_rows:
            out.append(
                f"the few rows ({self.n_train:,} to train on, for a network with thousands of "
                "weights)"
            )
        return out

    def for_network(self) -> list[str]:
        """Measured traits of this table that favour a network over tree ensembles."""
        numeric = self.n_inputs - self.n_onehot
        out = []
        if not self.mostly_categorical and numeric > 0 and self.task == "classification":
            out.append(
                f"{numeric} of its {self.n_inputs} inputs are numbers: a network draws a "
                "smooth boundary between the classes where trees draw it in steps, one "
                "input at a time"
            )
        elif not self.mostly_categorical and self.cap is None and numeric > 0:
            out.append(
                f"{numeric} of its {self.n_inputs} inputs are numbers and the target is not "
                "capped: where a target varies smoothly with numbers, a network follows it and "
                "trees approximate it in steps"
            )
        if not self.few_rows:
            out.append(f"{self.n_train:,} training rows are enough for its weights")
        return out

    def training(self) -> str:
        """How the MLP's training ended, as a clause ("" when unknown)."""
        if self.stop_reason == "early_stopping" and self.best_epoch is not None:
            return f"the MLP's validation loss stopped improving at epoch {self.best_epoch}"
        if self.stop_reason in _CUT_SHORT and self.epochs is not None:
            return f"the MLP's training was cut at epoch {self.epochs} ({_CUT_SHORT[self.stop_reason]})"
        if self.best_epoch is not None and self.epochs is not None:
            return (
                f"the MLP's best validation loss came at epoch {self.best_epoch} of {self.epochs}"
            )
        return ""


def facts(data: Prepared, mlp: Any = None, *, stop_reason: str | None = None) -> Facts:
    """Measure the :class:`Facts` of a split and (optionally) of its trained MLP.

    Parameters
    ----------
    data : Prepared
        The split.
    mlp : TabularModel or TabularClassifier, optional
        The trained MLP model (its best and last epochs are read).
    stop_reason : str, optional
        Why the MLP's last run ended.

    Returns
    -------
    Facts
    """
    shape = describe_target(data.y_train) if data.task == "regression" else None
    best = epochs = None
    if mlp is not None:
        est = mlp.estimator_
        best = est.best_epoch_
        trainer = getattr(est, "trainer_", None)
        epochs = None if trainer is None else int(trainer.epochs_done)
    return Facts(
        n_train=len(data.y_train),
        n_inputs=int(data.Z_train.shape[1]),
        n_onehot=int(data.Z_train.shape[1]) - len(data.numeric),
        cap=None if shape is None else shape.cap,
        capped_fraction=0.0 if shape is None else shape.capped_fraction,
        coordinates=[c for c in data.numeric if _COORDINATE.search(c)],
        heavy_tailed=list(data.heavy_tailed),
        best_epoch=best,
        epochs=epochs,
        stop_reason=stop_reason,
        task=data.task,
        n_test=len(data.y_test),
    )


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
    facts : Facts or None
        What the data and the run show (for :meth:`why`).
    log_loss : dict of str to float
        Test log-loss by model (a classification; empty for a regression), for
        :meth:`confidence`.
    """

    metric: str
    scores: dict[str, float]
    best_baseline: str
    mlp_gap: float | None
    linear: str
    linear_gap: float
    best: str
    cut_short: str | None = None
    facts: Facts | None = None
    log_loss: dict[str, float] = field(default_factory=dict)

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

    def _rows(self, d: float) -> int | None:
        """How many test rows an accuracy difference is (None: a regression, or unknown)."""
        n = None if self.facts is None else self.facts.n_test
        if self.metric != "accuracy" or not n:
            return None
        return int(round(abs(d) * n))

    def _of_rows(self, d: float, form: str = " ({})") -> str:
        """An accuracy difference's rows, "2 of 30 test rows", in ``form`` ("" if uncounted)."""
        k = self._rows(d)
        n = None if self.facts is None else self.facts.n_test
        return "" if k is None else form.format(f"{k} of {n:,} test row{'' if n == 1 else 's'}")

    def _tie(self, d: float) -> bool:
        """Within :data:`TIE`, or (accuracies) at most one test row apart."""
        k = self._rows(d)
        return abs(d) <= TIE or (k is not None and k <= 1)

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
            k = self._rows(gap)
            tie = "one test row" if k is not None and k <= 1 else self._size(TIE)
            rel = (
                "the same as"  # not "within one test row of" at 0 of 36 rows
                if self._score(s["MLP"]) == self._score(s[base])
                else f"within {tie} of"
                if self._tie(gap)
                else "better than"
                if gap > 0
                else "worse than"
            )
            out = (
                f"The MLP's test {m} is **{self._score(s['MLP'])}**, {rel} the best baseline, "
                f"{_called(base)} (**{self._score(s[base])}**, difference {self._diff(gap)}"
                f"{self._of_rows(gap, ', {}')}); " + self._others()
            )
            out = (out + " " + self.confidence()).strip()
            if self.cut_short:
                out += (
                    f" Its training was cut short ({self.cut_short}), so this is not the "
                    "network's last word: press Continue to train it further."
                )
        return " ".join(part for part in (out, self.why(), self._line(), self._few_test()) if part)

    def _few_test(self) -> str:
        """A regression scored on fewer than :data:`FEW_TEST_ROWS` test rows: say so."""
        n = None if self.facts is None else self.facts.n_test
        if self.metric == "accuracy" or not n or n >= FEW_TEST_ROWS:
            return ""  # (an accuracy's differences are counted in test rows already)
        return (
            f"These scores come from {n} test row{'' if n == 1 else 's'} only: on so few, "
            "another split can reorder the models (other seeds tell more)."
        )

    def confidence(self) -> str:
        """What the MLP's test log-loss adds to its accuracy ("" for a regression).

        Accuracy only reads the most probable class; log-loss reads the probabilities, and
        one confident mistake costs more than many hesitant right answers. When the MLP's
        log-loss is the lowest of the table, its probabilities are the ones to trust; when
        it is more than :data:`LOG_LOSS_WORSE` (relative) above the lowest, they deserve
        less trust than its accuracy suggests; in between, nothing is said.

        Returns
        -------
        str
        """
        ll = {m: v for m, v in self.log_loss.items() if math.isfinite(v)}
        if "MLP" not in ll or len(ll) < 2:
            return ""
        mlp = ll.pop("MLP")
        best = min(ll, key=lambda m: ll[m])
        ref = ll[best]
        if mlp <= ref:
            return (
                f"Its log-loss, {mlp:.3f}, is the lowest of the table ({_called(best)}: "
                f"{ref:.3f}): its probabilities are the closest to the outcomes."
            )
        if mlp > ref * (1 + LOG_LOSS_WORSE):
            versus = f"{mlp:.3f} against {_called(best)}'s {ref:.3f} (lower is better)"
            if self.mlp_gap is not None and self.mlp_gap < 0 and not self._tie(self.mlp_gap):
                return f"Its log-loss is worse too: {versus}."
            return (
                f"Its log-loss, though, is {versus}: its probabilities are further from the "
                "outcomes than its accuracy suggests, as when a few of its mistakes are made "
                "with near certainty (a reliability plot shows where)."
            )
        return ""

    def why(self) -> str:
        """Who wins between the MLP and gradient boosting, by how much, and why ("" without facts).

        The reasons are the :class:`Facts` that favour the winner (none are invented: a
        table without a cap never hears of one), and how the MLP's training ended.

        Returns
        -------
        str
        """
        f, s = self.facts, self.scores
        trees = "gradient boosting"
        if f is None or "MLP" not in s or trees not in s or self.cut_short:
            return ""
        gap = s["MLP"] - s[trees]
        if not math.isfinite(gap):
            return ""
        training = f.training()
        if self._tie(gap):
            out = (
                "Neither the MLP nor gradient boosting has an edge here "
                f"({self._diff(gap)}{self._of_rows(gap, ', {}')})"
            )
            return out + (f"; {training}." if training else ".")
        if gap < 0:
            reasons = f.for_trees()
            head = f"**Gradient boosting wins by {self._size(-gap)}**{self._of_rows(gap)}"
            why = (
                "; tree ensembles handle " + _join(reasons)
                if reasons
                else "; none of the traits measured here (a capped target, map coordinates, "
                "mostly one-hot inputs, few rows) explains it"
            )
        else:
            reasons = f.for_network()
            head = (
                f"**The MLP wins by {self._size(gap)}**{self._of_rows(gap)} over gradient boosting"
            )
            why = "; " + _join(reasons) if reasons else ""
        return head + why + (f"; {training}." if training else ".")

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
        if self.best != lin and self._rows(self.linear_gap) == 1:
            return (
                f"{name} is {self._size(self.linear_gap)} behind {_called(self.best)}"
                f"{self._of_rows(self.linear_gap)}: too few rows to tell whether {straight} "
                "would do as well: other seeds tell more."
            )
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
        if self._score(self.scores[lin]) == self._score(self.scores[self.best]):  # not "within 0.0"
            return f"{name} scores the same as {_called(self.best)}: {straight} {what} as well."
        return (
            f"{name} is within {self._size(self.linear_gap)} of {_called(self.best)}: "
            f"{straight} {what} almost as well."
        )


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def verdict(
    table: pd.DataFrame, *, mlp_stop_reason: str | None = None, facts: Facts | None = None
) -> Verdict:
    """Which model wins and by how much, computed from a :func:`~nnkit.tabular.compare` table.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~nnkit.tabular.compare`: the baselines, and an "MLP" row if trained;
        an ``accuracy`` column makes it a classification, else ``R²`` is compared.
    mlp_stop_reason : str, optional
        Why the MLP's last run ended (a key of :data:`nnkit.training.STOP_REASONS`): a
        run cut by a cap or by the user is said to be unfinished.
    facts : Facts, optional
        What the data and the run show (:func:`facts`): the verdict then says why the
        winner between the MLP and gradient boosting wins.

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
    ll = (
        {str(m): float(v) for m, v in zip(table["model"], table["log-loss"], strict=True)}
        if "log-loss" in table.columns
        else {}
    )
    return Verdict(metric, s, best_baseline, mlp_gap, linear, linear_gap, best, cut, facts, ll)
