"""Make sure a page runs inside app.py's navigation, even when opened by its own URL.

Streamlit 1.67 keeps a relic of its first multipage design: when a folder named
``pages/`` sits beside the entry script, a freshly started server runs in the old
"pages directory" mode until some session has executed ``st.navigation``. In that
mode a visitor who arrives by a deep link (``/autodiff``) gets the page script run on
its own: no ``st.set_page_config`` (narrow layout), a sidebar of raw file names, no
lecture sections. That is what the first students see after a hosted demo wakes up.

Every page calls :func:`ensure_router` first. If the server is still in that mode,
it switches it off (the flag Streamlit itself clears on the first ``st.navigation``
call) and reruns, so the same URL is served through ``app.py``'s navigation.

Streamlit 1.67 has no supported switch for this (the relic is keyed on a ``pages/``
folder beside the entry script, and this project's layout keeps one), so the flag is
a private attribute: ``tests/unit/test_streamlit_contract.py`` fails loudly when a
Streamlit upgrade renames or drops it. ``ensure_router`` also applies the app's
process-wide policy (:func:`nnkit.ui.policy.apply`), since every page passes here first.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from nnkit.ui import policy


def ensure_router() -> None:
    """Rerun through app.py's ``st.navigation`` if Streamlit ran this page directly."""
    policy.apply()
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
