"""Reproduce in Python: a page's current result as a short script and a notebook.

Each topic has one pure function next to it (``nnkit/<topic>/reproduce.py``) that
takes the page's settings and returns a :class:`Script`: the code that prints the
same numbers with the public API, a sentence for the notebook, a file name. A setting
the script cannot express (a formula that does not parse, a run cut short by Stop or
by the time cap) raises :class:`NotReproducible` with a one-line note instead.
The helpers here keep the generated code readable: :func:`literal` writes any value
as Python source, :func:`call` writes a call without the arguments that equal the
function's defaults, so a script spells out only what the user changed.

``nnkit.ui.reproduce`` shows a :class:`Script` on a page; :meth:`Script.notebook`
turns it into a Jupyter notebook (nbformat, imported on first use).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["LINE", "Code", "NotReproducible", "Script", "call", "changed_fields", "literal"]

LINE = 88
"""Calls longer than this are written one argument per line."""


class NotReproducible(ValueError):
    """The page's current result has no script; the message is the one-line note to show."""


@dataclass(frozen=True)
class Script:
    """A runnable script for one result of one page.

    Attributes
    ----------
    code : str
        The script: imports, the calls with the page's settings, ``print`` of the
        figures the page shows and, when the page draws a chart, ``chart.save(...)``.
    explanation : str
        Markdown: what the script reproduces (the notebook's first cell).
    name : str
        File stem of the downloads (``name.py``, ``name.ipynb``, the saved chart).
    chart : str or None
        Name of the variable holding the chart, displayed inline in the notebook.
    """

    code: str
    explanation: str
    name: str
    chart: str | None = None

    def notebook(self) -> str:
        """The script as a Jupyter notebook: the explanation, the code, then the chart.

        The last cell displays the chart inline (with Altair's 5,000-row limit for
        notebooks lifted: heat-maps of fine grids have more points).

        Returns
        -------
        str
            The ``.ipynb`` file's JSON (nbformat 4).
        """
        import nbformat
        from nbformat import v4

        cells = [v4.new_markdown_cell(self.explanation), v4.new_code_cell(self.code.rstrip("\n"))]
        if self.chart:
            cells.append(
                v4.new_code_cell(
                    "import altair as alt\n\n"
                    "alt.data_transformers.disable_max_rows()  # draw charts of over 5,000 points\n"
                    f"{self.chart}"
                )
            )
        for cell, name in zip(cells, ("explanation", "script", "chart"), strict=False):
            cell["id"] = name  # stable: the same script gives the same file
        nb = v4.new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        return str(nbformat.writes(nb))


def literal(value: Any) -> str:
    """``value`` as Python source that evaluates back to an equal value.

    Floats use the shortest text that round-trips (``0.1``, ``1e-6``), text a
    double-quoted literal (escaped: user text never becomes code), numpy scalars
    their Python value; tuples, lists and dicts recurse.

    Parameters
    ----------
    value : None, bool, int, float, str, tuple, list, dict or numpy scalar

    Returns
    -------
    str
    """
    if hasattr(value, "item") and not isinstance(value, list | tuple | dict | str):
        value = value.item()  # numpy scalar
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return f'float("{value}")'
        text = repr(value)
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
        return text
    if isinstance(value, str):
        if value.isprintable() and '"' not in value and "\\" not in value:
            return f'"{value}"'
        return repr(value)
    if isinstance(value, tuple):
        items = [literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def _same(value: Any, default: Any) -> bool:
    if default is inspect.Parameter.empty:
        return False
    if hasattr(value, "item") and not isinstance(value, list | tuple | dict | str):
        value = value.item()  # numpy scalar
    if isinstance(value, bool) or isinstance(default, bool) or value is None or default is None:
        return value is default
    try:
        return bool(value == default) and type(value) in (type(default), int, float)
    except (TypeError, ValueError):
        return False


def call(name: str, func: Callable[..., Any], *args: Any, prefix: str = "", **kwargs: Any) -> str:
    """Source of ``name(*args, **kwargs)``, leaving out keywords equal to ``func``'s defaults.

    Positional arguments are always written. Values are Python objects (written with
    :func:`literal`) or :class:`Code` (written as they are: a variable, an
    expression). A call longer than :data:`LINE` is written one argument per line.

    Parameters
    ----------
    name : str
        How the script spells the function (``"fd.error_sweep"``).
    func : callable
        The function, for its defaults.
    *args
        Positional arguments.
    prefix : str
        Text before the call on its line (``"sweep = "``), for the line length.
    **kwargs
        Keyword arguments.

    Returns
    -------
    str
    """
    params = inspect.signature(func).parameters
    parts = [_source(a) for a in args]
    for key, value in kwargs.items():
        default = params[key].default if key in params else inspect.Parameter.empty
        if not isinstance(value, Code) and _same(value, default):
            continue
        parts.append(f"{key}={_source(value)}")
    one_line = f"{prefix}{name}({', '.join(parts)})"
    if len(one_line) <= LINE or not parts:
        return one_line
    return f"{prefix}{name}(\n" + "".join(f"    {p},\n" for p in parts) + ")"


class Code(str):
    """Text that :func:`call` writes as it is (a variable name or an expression)."""

    __slots__ = ()


def _source(value: Any) -> str:
    return str(value) if isinstance(value, Code) else literal(value)


def changed_fields(value: Any, base: Any) -> dict[str, Any]:
    """The fields of dataclass ``value`` that differ from those of ``base``.

    Parameters
    ----------
    value, base : dataclass instances of the same class

    Returns
    -------
    dict
        Field name -> value in ``value``, in field order.
    """
    return {
        f.name: getattr(value, f.name)
        for f in fields(value)
        if not _same(getattr(value, f.name), getattr(base, f.name))
    }
