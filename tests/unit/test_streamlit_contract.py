"""The private parts of Streamlit nnkit Lab relies on: fail loudly when an upgrade changes them.

``nnkit/ui/router.py`` clears ``PagesManager.uses_pages_directory`` (Streamlit 1.67 has
no supported switch): a server that starts with a ``pages/`` folder beside ``app.py``
runs deep-linked page scripts on their own until some session calls ``st.navigation``.
If Streamlit renames the flag or stops consulting it, ``ensure_router`` would silently
do nothing: these checks make that a test failure that names the file to revisit.
"""

import inspect

import streamlit.runtime.scriptrunner.script_runner as script_runner
from streamlit.commands import navigation
from streamlit.runtime.pages_manager import PagesManager

REVISIT = "Streamlit changed its pages-directory relic: revisit nnkit/ui/router.py"


def test_the_pages_directory_flag_still_exists():
    assert hasattr(PagesManager, "uses_pages_directory"), REVISIT
    assert "uses_pages_directory" in inspect.getsource(PagesManager.__init__), REVISIT


def test_the_script_runner_still_consults_it_and_navigation_still_clears_it():
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner), REVISIT
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation), REVISIT
