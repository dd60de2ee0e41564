"""nnkit Lab: the router. Every page is listed in nnkit/ui/course.py."""

from pathlib import Path

import streamlit as st

from nnkit.ui import policy
from nnkit.ui.course import HOME, LECTURES

st.set_page_config(page_title="nnkit Lab", page_icon=":material/neurology:", layout="wide")
# Code blocks: darker token colours than Streamlit's fixed ones (contrast, see the file).
st.html(Path(__file__).parent / "nnkit" / "ui" / "code_colors.css")

home = st.Page(HOME.path, title=HOME.title, icon=HOME.icon, default=True)
sections = {"": [home]}
for lecture in LECTURES:
    if lecture.pages:
        sections[lecture.nav_title] = [
            st.Page(p.path, title=p.title, icon=p.icon) for p in lecture.pages
        ]

try:
    with policy.visit():  # a still running warm-up waits for the page to end
        st.navigation(sections).run()
finally:  # after the page (also when it stops or reruns): the visitor's imports go first
    policy.warm_up()  # once per server: heavy imports in the background, then gc.freeze()
