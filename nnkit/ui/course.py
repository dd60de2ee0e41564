"""The course map: every page of the app, grouped by lecture, in the suggested order.

This is the single list of pages. ``app.py`` builds ``st.navigation`` from it, the home
page draws the course map (a numbered path with a first experiment per page) from it,
and every page takes its title from it (:func:`page_title`), so the title on a page is
the label that led there. Adding a page means adding one ``PageInfo`` here (and only
once the page fully works: no "coming soon").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageInfo:
    """One page: its script under ``pages/``, title, icon, summary and first experiment.

    ``first_try`` is one line: what to do first on the page, with its defaults.
    """

    path: str
    title: str
    icon: str
    summary: str
    first_try: str = ""


@dataclass(frozen=True)
class Lecture:
    """A lecture: its full title, the short one the sidebar shows, an abstract, its pages.

    The sidebar is narrow: ``nav_title`` must fit it on one line (the browser tests
    check that no section heading is cut off).
    """

    title: str
    nav_title: str
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
        nav_title="Lecture 1 · Autodiff & neural nets",
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
                first_try=(
                    "Read the best step h off the V of each scheme, then type tanh(x) and see the V move."
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
                first_try=(
                    "Press Step four times and watch x collect its gradient along two paths."
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
                first_try=(
                    "Open Perceptron training, pick XOR and watch Rosenblatt's rule never settle."
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
                first_try=(
                    "Press Play, then raise the learning rate past the critical α and watch it diverge."
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
                first_try=(
                    "Press Start, then switch to Fourier features and compare R² outside the box."
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
                first_try=(
                    "Set hidden layers to 0 and watch one neuron fail; then try a few seeds with 1."
                ),
            ),
            PageInfo(
                path="pages/house_prices.py",
                title="House prices",
                icon=":material/home_work:",
                summary=(
                    "Exercise 3: an MLP on a CSV of houses (yours or a synthetic one) against "
                    "mean, ridge and gradient-boosting baselines, with downloads; a class label "
                    "in your CSV is classified with cross-entropy instead."
                ),
                first_try=(
                    "Press Start and see whether the MLP beats gradient boosting on the test rows."
                ),
            ),
        ],
    ),
    Lecture(
        title="Lecture 2 · Physics-informed neural networks",
        nav_title="Lecture 2 · Physics-informed nets",
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
                first_try=(
                    "Press Train on the warm-up, then pick the inverse oscillator and recover μ from data."
                ),
            ),
        ],
    ),
    Lecture(
        title="Lecture 3 · Symbolic distillation",
        nav_title="Lecture 3 · Symbolic distillation",
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
                    "Distil a trained network (or a CSV) into a formula: structure read from the "
                    "network's gradients, a grammar search with a Pareto front, 'exact' only to "
                    "the data's noise, and why the formula extrapolates where the network fails."
                ),
                first_try=(
                    "Press Distil, read the formula found in the network, then compare how both extrapolate."
                ),
            ),
        ],
    ),
]


def all_pages() -> list[PageInfo]:
    """Every topic page, in the suggested order (the course map's numbering).

    Returns
    -------
    list of PageInfo
    """
    return [page for lecture in LECTURES for page in lecture.pages]


def page_title(path: str) -> str:
    """The title of the page ``pages/<name>.py``: the label of its navigation entry.

    Parameters
    ----------
    path : str
        The page's script, as listed here (``"pages/derivatives.py"``).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If no page of the course map has this path.
    """
    for page in [HOME, *all_pages()]:
        if page.path == path:
            return page.title
    raise KeyError(f"{path} is not in the course map")
