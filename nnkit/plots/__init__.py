"""Altair chart builders, one module per topic (``nnkit.plots.<topic>``).

Every builder takes plain data (a DataFrame or a result dataclass) and returns an
``alt.Chart`` (or layered/concatenated chart), so the same figure works on a page
and in Jupyter.
"""
