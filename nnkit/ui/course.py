"""The course map: every page of the app, grouped by lecture.

This is the single list of pages. ``app.py`` builds ``st.navigation`` from it and
the home page draws the course map from it, so adding a page means adding one
``PageInfo`` here (and only once the page fully works: no "coming soon").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageInfo:
    """One page: its script under ``pages/``, title, icon and a one-line summary."""

    path: str
    title: str
    icon: str
    summary: str


@dataclass(frozen=True)
class Lecture:
    """A lecture: its navigation section title, a short abstract and its pages."""

    title: str
    abstract: str
    pages: list[PageInfo] = field(default_factory=list)


HOME = PageInfo(
    path="pages/home.py",
    title="Course map",
    icon=":material/home:",
    summary="The three lectures and what each page lets you do.",
)

LECTURES: list[Lecture] = [
    Lecture(
        title="Lecture 1 · Automatic differentiation & neural networks",
        abstract=(
            "From finite differences to reverse-mode autodiff, then neurons, layers, "
            "losses and the training loop, up to fitting Rastrigin, XOR and house prices."
        ),
        pages=[
            PageInfo(
                path="pages/derivatives.py",
                title="Derivatives",
                icon=":material/functions:",
                summary=(
                    "Finite differences derived exactly, their V-shaped error and best "
                    "step, beside complex step and autodiff."
                ),
            ),
            PageInfo(
                path="pages/autodiff.py",
                title="Automatic differentiation",
                icon=":material/account_tree:",
                summary=(
                    "Type a formula, see its computational graph, and run the backward "
                    "pass node by node, checked against torch.autograd and finite differences."
                ),
            ),
            PageInfo(
                path="pages/perceptron.py",
                title="Perceptron & activations",
                icon=":material/linear_scale:",
                summary=(
                    "Activation functions beside their derivatives, one neuron's line, "
                    "Rosenblatt's rule replayed step by step against Novikoff's bound "
                    "(AND/OR converge, XOR never), and a layer of neurons."
                ),
            ),
            PageInfo(
                path="pages/gradient_descent.py",
                title="Gradient descent",
                icon=":material/trending_down:",
                summary=(
                    "The lecture's line fit on its exact loss surface, batch vs SGD vs "
                    "mini-batch, and torch.optim optimizers racing on classic surfaces."
                ),
            ),
            PageInfo(
                path="pages/mlp_fitting.py",
                title="MLP function fitting",
                icon=":material/ssid_chart:",
                summary=(
                    "Train an MLP live on Rastrigin or your formula, see it fail outside the "
                    "training square, fix its spectral bias with Fourier features."
                ),
            ),
            PageInfo(
                path="pages/xor.py",
                title="XOR: how many layers?",
                icon=":material/join_inner:",
                summary=(
                    "Decision boundaries with 0, 1 or 2 hidden layers, and how often each "
                    "architecture solves XOR over 20 random initialisations."
                ),
            ),
            PageInfo(
                path="pages/house_prices.py",
                title="House prices",
                icon=":material/home_work:",
                summary=(
                    "Exercise 3: an MLP on a CSV of houses (yours or a synthetic one) against "
                    "mean, ridge and gradient-boosting baselines, with downloads."
                ),
            ),
        ],
    ),
    Lecture(
        title="Lecture 2 · Physics-informed neural networks",
        abstract=(
            "Networks trained so that a differential equation's residual, computed by "
            "automatic differentiation, vanishes: solve and identify ODEs and PDEs."
        ),
        pages=[
            PageInfo(
                path="pages/pinn.py",
                title="Physics-informed networks",
                icon=":material/waves:",
                summary=(
                    "Solve an oscillator, the heat and Burgers equations or your own ODE with a "
                    "network, find the friction μ from noisy data; every result beside its reference."
                ),
            ),
        ],
    ),
    Lecture(
        title="Lecture 3 · Symbolic distillation",
        abstract=(
            "Turn a trained network back into a formula with symbolic regression: "
            "readable, and when it is the true law, it extrapolates."
        ),
        pages=[
            PageInfo(
                path="pages/symbolic.py",
                title="Symbolic distillation",
                icon=":material/function:",
                summary=(
                    "Distil a trained network (or a CSV) into a formula: Pareto front, exact "
                    "recovery of Rastrigin, and why the formula extrapolates where the network fails."
                ),
            ),
        ],
    ),
]
