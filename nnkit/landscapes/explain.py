"""What a run shows, in words computed from the run (never a canned sentence).

Each function takes results (runs, the closed-form analysis, a race) and returns
Markdown (with ``$...$`` LaTeX), the text the "Gradient descent" page shows beside
its charts, and what a notebook can print. Every number in the text comes from the
arguments, and every branch is chosen by them: a diverged run is described as
diverged, a run that has converged as converged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nnkit._text import counted
from nnkit.landscapes.descent import GDRun, first_hit, last_epoch_excess
from nnkit.landscapes.optimizers import Trajectory, stuck_runs
from nnkit.landscapes.regression import QuadraticAnalysis, RegressionProblem
from nnkit.landscapes.surfaces import Surface2D

__all__ = [
    "lecture_divergence",
    "lecture_note",
    "lecture_stories",
    "mode_divergence",
    "modes_note",
    "modes_paths",
    "race_note",
    "trajectory_divergence",
    "why_slow",
]

#: The lecture's learning rate and epochs.
LECTURE_LR = 0.01
LECTURE_EPOCHS = 1000


def lecture_divergence(run: GDRun, analysis: QuadraticAnalysis) -> str:
    """Why a full-batch run diverged, and the learning rate that would converge.

    Parameters
    ----------
    run : GDRun
        A full-batch run that diverged.
    analysis : QuadraticAnalysis
        The closed-form analysis of its problem.

    Returns
    -------
    str
        Markdown.
    """
    lr, a = run.lr, analysis
    return (
        f"**Diverged.** α = {lr:.3f} is above the critical learning rate "
        f"2/λ_max = {a.critical_lr:.4f}: along the steep direction each epoch multiplies "
        f"the error by |1 − αλ_max| = {abs(1 - lr * a.lambda_max):.3f} > 1. The run was "
        f"stopped at epoch {run.diverged_at} ({run.stop_reason}); the path is shown up to "
        f"there. Lower α below {a.critical_lr:.4f} to converge."
    )


def lecture_stories(run: GDRun, analysis: QuadraticAnalysis) -> tuple[str, str]:
    """What the path on the contour map and the slope of the excess-loss curve show.

    Parameters
    ----------
    run : GDRun
        A full-batch run.
    analysis : QuadraticAnalysis
        The closed-form analysis of its problem.

    Returns
    -------
    (str, str)
        A sentence about the path (zig-zag, straight drop or escape, from the sign and
        size of the steep direction's factor ``1 − αλ_max``) and a clause about the
        slope of ``J − J*`` on a log axis.
    """
    fast = 1 - run.lr * analysis.lambda_max
    if run.diverged:
        path = (
            f"Here the steep direction's factor 1 − αλ_max = {fast:.3f} is below −1: every epoch "
            "jumps across the valley farther than the last, and the path leaves the frame."
        )
        slope = (
            f"here it rises, set by the steep direction: |1 − αλ_max|^(2t) = {abs(fast):.3f}^(2t)."
        )
        return path, slope
    if fast < 0:
        path = (
            "The path zig-zags across the valley at first (the steep direction's factor "
            f"1 − αλ_max = {fast:.3f} is negative) and then creeps along it."
        )
    else:
        path = (
            "The path drops straight into the valley (the steep direction's factor "
            f"1 − αλ_max = {fast:.3f} is positive) and then creeps along it."
        )
    slope = (
        "after the first epochs its slope is set by the slow direction, "
        "$(1-\\alpha\\lambda_{min})^{2t}$."
    )
    return path, slope


def _slow_is_intercept(analysis: QuadraticAnalysis) -> bool:
    slow = analysis.eigenvectors[:, 0]
    return bool(abs(slow[1]) > abs(slow[0]))


def why_slow(problem: RegressionProblem, analysis: QuadraticAnalysis, run: GDRun) -> str:
    """The Hessian, its eigenvalues and what they say about this run, as a bullet list.

    Parameters
    ----------
    problem : RegressionProblem
        The data.
    analysis : QuadraticAnalysis
        Its closed-form analysis.
    run : GDRun
        A full-batch run on it.

    Returns
    -------
    str
        Markdown with LaTeX: the Hessian, the critical learning rate, the two
        per-epoch factors, the slow eigenvector and why it is slow (x not centred),
        and either the remaining error and the epochs needed to get within 10⁻³ of
        the optimum or, when the spectral radius is ≥ 1, that the run cannot converge.
    """
    a, lr = analysis, run.lr
    h = a.hessian
    slow = a.eigenvectors[:, 0]
    theta0 = run.path[0]
    slow_factor = abs(1 - lr * a.lambda_min)
    text = (
        f"- The loss is quadratic in $(w, b)$, with constant Hessian "
        f"$H = \\frac{{2}}{{n}}\\begin{{pmatrix}}\\sum x^2 & \\sum x\\\\ \\sum x & n"
        f"\\end{{pmatrix}} = \\begin{{pmatrix}}{h[0, 0]:.3f} & {h[0, 1]:.3f}\\\\ "
        f"{h[1, 0]:.3f} & {h[1, 1]:.3f}\\end{{pmatrix}}$, eigenvalues "
        f"$\\lambda_{{min}} = {a.lambda_min:.4f}$, $\\lambda_{{max}} = {a.lambda_max:.3f}$ "
        f"(condition number {a.condition:.1f}).\n"
        f"- Full-batch gradient descent multiplies the error along each eigenvector by "
        f"$1 - \\alpha\\lambda$ per epoch. It diverges once $|1 - \\alpha\\lambda_{{max}}| > 1$, "
        f"i.e. for $\\alpha > 2/\\lambda_{{max}} = {a.critical_lr:.5f}$.\n"
        f"- At α = {lr:.3f} the fast direction shrinks by "
        f"{abs(1 - lr * a.lambda_max):.4f} per epoch, the slow one only by "
        f"{slow_factor:.5f}. The slow eigenvector is "
        f"({slow[0]:+.3f}, {slow[1]:+.3f}) in (w, b): mostly the "
        f"**{'intercept b' if _slow_is_intercept(a) else 'slope w'}**. "
        f"It is slow because x is not centred (mean x = {problem.x.mean():.2f}): "
        f"centred data would give eigenvalues {a.centred_eigenvalues[0]:.3f} and "
        f"{a.centred_eigenvalues[1]:.3f} (condition number {a.centred_condition:.1f}).\n"
    )
    rate = a.rate(lr)
    if rate >= 1 or run.diverged:
        return text + (
            f"- At this α the spectral radius max|1 − αλ| = {rate:.3f} ≥ 1: no convergence."
        )
    comp = a.error_components(theta0)
    dist = float(np.hypot(*(run.path[-1] - a.theta_star)))
    predicted = float(np.hypot(*a.predicted_error(theta0, lr, run.steps)))
    return text + (
        f"- The initial error along the slow direction is {abs(comp[0]):.3f}; after "
        f"{run.steps} epochs it is {abs(comp[0]) * slow_factor**run.steps:.2e} "
        f"(factor {slow_factor:.5f}^{run.steps}). Distance of (w, b) "
        f"to the optimum: **{dist:.2e}** (run) vs {predicted:.2e} (prediction).\n"
        f"- Epochs needed to get within 10⁻³ of the optimum at this α: "
        f"**{a.steps_to_reach(theta0, lr, 1e-3)}**; at the best α = 2/(λ_min + λ_max) = "
        f"{a.best_lr:.5f}: {a.steps_to_reach(theta0, a.best_lr, 1e-3)}."
    )


def lecture_note(analysis: QuadraticAnalysis, run: GDRun, lecture: GDRun, seed: int) -> str:
    """The "what you see" note of part 1: where the run ended, and why it is not at the optimum.

    Parameters
    ----------
    analysis : QuadraticAnalysis
        The closed-form analysis of the problem.
    run : GDRun
        The run on screen (full batch).
    lecture : GDRun
        The lecture's run on the same data (α = 0.01, 1000 epochs), for comparison.
    seed : int
        The data's seed, quoted when the run is the lecture's.

    Returns
    -------
    str
        Markdown. Three cases: the lecture's own settings, a diverged run, any other run
        (how far it ended from the optimum and how many more epochs it needs).
    """
    a, lr = analysis, run.lr
    theta0 = run.path[0]
    lw, lb = lecture.final
    wT, bT = run.final
    slow_name = "intercept-heavy" if _slow_is_intercept(a) else "slope-heavy"
    lecture_need = a.steps_to_reach(theta0, LECTURE_LR, 1e-3)
    if abs(lr - LECTURE_LR) < 1e-12 and run.steps == LECTURE_EPOCHS and not run.diverged:
        return (
            f"With the lecture's settings (α = 0.01, 1000 epochs, seed {seed}) "
            f"gradient descent ends at w = {lw:.4f}, b = {lb:.4f}: w is within "
            f"{abs(lw - a.w_star):.1e} of w* = {a.w_star:.4f} but b is still "
            f"{abs(lb - a.b_star):.1e} away from b* = {a.b_star:.4f}, because the slow, "
            f"{slow_name} direction shrinks by only {1 - LECTURE_LR * a.lambda_min:.5f} per "
            f"epoch; {lecture_need} epochs are needed to get within 10⁻³ of (w*, b*)."
        )
    if run.diverged:
        return (
            f"At α = {lr:.3f}, above 2/λ_max = {a.critical_lr:.4f}, the steep direction's "
            f"error is multiplied by {abs(1 - lr * a.lambda_max):.3f} every epoch, so the run "
            f"blew up and was stopped at epoch {run.diverged_at}. With the lecture's α = 0.01 "
            f"the same start ends 1000 epochs later at w = {lw:.4f}, b = {lb:.4f} "
            f"(w* = {a.w_star:.4f}, b* = {a.b_star:.4f})."
        )
    need = a.steps_to_reach(theta0, lr, 1e-3)
    if float(np.hypot(wT - a.w_star, bT - a.b_star)) <= 1e-3:
        reach = "it is already within 10⁻³ of (w*, b*)"
    elif need is None:
        reach = "at this α it never gets within 10⁻³ of (w*, b*)"
    else:
        reach = (
            f"{need} epochs are needed to get within 10⁻³ of (w*, b*), "
            f"{need - run.steps} more than this run"
        )
    return (
        f"At α = {lr:.3f}, after {run.steps} epochs, gradient descent ends at "
        f"w = {wT:.4f}, b = {bT:.4f}: {abs(wT - a.w_star):.1e} from w* = {a.w_star:.4f} "
        f"and {abs(bT - a.b_star):.1e} from b* = {a.b_star:.4f}. The slow, {slow_name} "
        f"direction shrinks by {abs(1 - lr * a.lambda_min):.5f} per epoch; {reach}. "
        f"For comparison, the lecture's settings (α = 0.01, 1000 epochs) end "
        f"{float(np.hypot(lw - a.w_star, lb - a.b_star)):.1e} from the optimum and need "
        f"{lecture_need} epochs."
    )


def mode_divergence(
    name: str, run: GDRun, problem: RegressionProblem, analysis: QuadraticAnalysis
) -> str:
    """Why a batch, SGD or mini-batch run diverged: single points are steeper than the mean.

    Parameters
    ----------
    name : str
        The run's name on screen.
    run : GDRun
        The run that diverged.
    problem : RegressionProblem
        Its data (the steepest single point).
    analysis : QuadraticAnalysis
        Its closed-form analysis (the full-batch critical learning rate).

    Returns
    -------
    str
        Markdown.
    """
    i = problem.steepest_sample()
    curv = float(problem.sample_curvatures()[i])
    return (
        f"**{name} diverged** at step {run.diverged_at} "
        f"(epoch {(run.diverged_at or 0) / run.steps_per_epoch:.2f}): {run.stop_reason}. Its "
        f"path is shown up to there. Full batch is stable below α = 2/λ_max = "
        f"{analysis.critical_lr:.4f}. Single points are much steeper: the point x = "
        f"{problem.x[i]:.2f} alone has curvature 2(1 + x²) = {curv:.1f}, so a "
        f"step on it overshoots for α > {2 / curv:.4f}; the smaller the batch, the "
        "more such steps."
    )


def modes_paths(
    runs: Mapping[str, GDRun], problem: RegressionProblem, analysis: QuadraticAnalysis, epochs: int
) -> str:
    """The caption of the batch, SGD and mini-batch paths on the contours: what each does.

    Parameters
    ----------
    runs : mapping of str to GDRun
        Runs with the same learning rate, by the name shown for them.
    problem : RegressionProblem
        Their data (how many points a step sees).
    analysis : QuadraticAnalysis
        The closed-form analysis of their problem (the batch path's shape).
    epochs : int
        The epochs the picture shows.

    Returns
    -------
    str
        Markdown: a diverged run is said to diverge; the batch path zig-zags or drops
        straight by the sign of its steep direction's factor ``1 − αλ_max``; SGD's and
        mini-batch's steps per epoch and points per step.
    """
    said = []
    for name, r in runs.items():
        if r.diverged:
            said.append(f"{name} diverged at step {r.diverged_at}: its path stops there")
        elif r.mode == "batch":
            fast = 1 - r.lr * analysis.lambda_max
            said.append(
                f"batch zig-zags across the valley (1 − αλ_max = {fast:.3f} < 0) as it creeps "
                "along it"
                if fast < 0
                else f"batch drops straight into the valley (1 − αλ_max = {fast:.3f} ≥ 0), then "
                "creeps along it"
            )
        else:
            even = r.steps_per_epoch * r.batch_size == len(problem.x)
            points = (
                "one point"
                if r.batch_size == 1
                else f"{'' if even else 'up to '}{r.batch_size} points"
            )
            said.append(
                f"{'SGD' if r.mode == 'stochastic' else r.mode} takes "
                f"{counted(r.steps_per_epoch, 'step')} per epoch, each on the gradient of "
                f"{points}"
                + (
                    ": a noisy path that, with a constant α, never settles"
                    if r.batch_size == 1
                    else ""
                )
            )
    return (
        f"The {counted(len(runs), 'path')} after {counted(epochs, 'epoch')} on the contours of "
        f"$J(w, b)$: " + "; ".join(said) + "."
    )


def modes_note(runs: Mapping[str, GDRun], analysis: QuadraticAnalysis, target: float = 1.05) -> str:
    """The "what you see" note of batch vs SGD vs mini-batch: lowest loss, SGD's floor, work.

    Parameters
    ----------
    runs : mapping of str to GDRun
        Runs with the same learning rate and epochs, by the name shown for them.
    analysis : QuadraticAnalysis
        The closed-form analysis of their problem.
    target : float, default 1.05
        "Near the optimum" means ``J ≤ target · J*``.

    Returns
    -------
    str
        Markdown, to follow "What you see."; empty if every run diverged.
    """
    ok = {name: r for name, r in runs.items() if not r.diverged}
    if not ok:
        return ""
    a = analysis
    best = min(ok, key=lambda name: ok[name].loss[-1])
    any_run = next(iter(runs.values()))
    note = (
        f"After {counted(any_run.epochs, 'epoch')} at α = {any_run.lr:.3f} the lowest "
        f"loss is {best}'s, J = {ok[best].loss[-1]:.5f} (J* = {a.loss_star:.5f}). "
    )
    sgd = [r for r in ok.values() if r.mode == "stochastic"]
    if sgd:
        note += (
            f"SGD made {sgd[0].steps} steps but, with a constant α, keeps jittering around the "
            f"optimum: over its last epoch J is on average "
            f"{last_epoch_excess(sgd[0], a):.2e} above J*. "
        )
    hits = {name: first_hit(r, target * a.loss_star) for name, r in runs.items()}
    reached = {name: h for name, h in hits.items() if h is not None}
    if reached:
        fastest = min(reached, key=lambda name: reached[name])
        batch_behind = any(r.mode == "batch" and hits[n] is None for n, r in runs.items())
        note += (
            f"Measured in work, {fastest} is the first to touch J ≤ {target:g} J* "
            f"({reached[fastest]} per-sample gradients)"
            + (", whereas batch gradient descent has not got there yet." if batch_behind else ".")
        )
    return note


def trajectory_divergence(run: Trajectory) -> str:
    """Which optimizer diverged, at which step, and what to change.

    Parameters
    ----------
    run : Trajectory
        A run that diverged.

    Returns
    -------
    str
        Markdown.
    """
    return (
        f"**{run.label}** (lr = {run.hyper['lr']:g}) diverged at step {run.diverged_at}: "
        f"{run.stop_reason}. Its path stops there; lower its learning rate."
    )


def _stuck_note(surf: Surface2D, runs: Sequence[Trajectory]) -> str:
    stuck = stuck_runs(surf, runs)
    if not stuck or not surf.minima:
        return ""
    r = stuck[0]
    return (
        f" {', '.join(t.label for t in stuck)} stopped where the gradient is ≈ 0 but "
        f"f = {r.loss[-1]:.4g} > {surf.f_min:g} (at ({r.final[0]:.3g}, {r.final[1]:.3g}) for "
        f"{r.label}): a local minimum, not the global one."
    )


def race_note(surf: Surface2D, runs: Sequence[Trajectory], steps: int) -> str:
    """The "what you see" note of a race: who got closest, who barely moved, who is stuck.

    Parameters
    ----------
    surf : Surface2D
        The surface.
    runs : sequence of Trajectory
        The race.
    steps : int
        Steps asked for.

    Returns
    -------
    str
        Markdown; empty if every run diverged. On a surface without minima (the
        saddle) it says which run went farthest.
    """
    ok = [r for r in runs if not r.diverged]
    if not ok:
        return ""
    if not surf.minima:
        far = max(ok, key=lambda r: float(np.hypot(*r.final)))
        return (
            f"The saddle has no minimum, so no optimizer can converge: "
            f"after {int(steps)} steps {far.label} is farthest from the saddle point, at "
            f"({far.final[0]:.3g}, {far.final[1]:.3g}) with f = {far.loss[-1]:.3g}, and f keeps "
            "falling along the y direction."
        )

    def distance(r: Trajectory, point: tuple[float, float] | None = None) -> float:
        near = surf.nearest_minimum(r.final if point is None else point)
        return near[1] if near else float("inf")

    best = min(ok, key=distance)
    worst = max(ok, key=distance)
    tiny = "".join(
        f" {r.label} travelled only {r.path_length:.3g} in total: with "
        f"lr = {r.hyper['lr']:g} its steps are tiny here."
        for r in ok
        if r.path_length < 0.05 * distance(r, (r.path[0, 0], r.path[0, 1]))
    )
    return (
        f"After {int(steps)} steps {best.label} is closest to a known "
        f"minimum ({distance(best):.2e} away, f = {best.loss[-1]:.3g}); "
        f"{worst.label} is farthest ({distance(worst):.2e}, f = {worst.loss[-1]:.3g})."
        + tiny
        + _stuck_note(surf, ok)
        + (f" {counted(len(runs) - len(ok), 'optimizer')} diverged." if len(ok) < len(runs) else "")
    )
