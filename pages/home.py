"""Home page: the course map, a numbered path through the pages. Imports neither torch nor scikit-learn."""

import streamlit as st

from nnkit.ui.course import LECTURES
from nnkit.ui.router import ensure_router

ensure_router()
st.title("nnkit Lab")
st.markdown(
    "An interactive companion to a three-lecture course on how neural networks really "
    "work: every page runs real code from **nnkit**, a small library you can also `import` "
    "in a notebook, and shows each number beside its reference. Follow the pages in order; "
    "each one has a first experiment to try with its defaults."
)

step = 0
for lecture in LECTURES:
    with st.container(border=True):
        st.header(lecture.title)
        st.markdown(lecture.abstract)
        for page in lecture.pages:
            step += 1
            # The link holds the title only: a link label is one line and long
            # summaries would be cut off mid-sentence.
            st.page_link(page.path, label=f"**{step}. {page.title}**", icon=page.icon)
            st.markdown(f"{page.summary}  \n*First experiment:* {page.first_try}")

st.caption(
    "Run it yourself: `pip install -r requirements.txt && streamlit run app.py`. "
    "Source, tests and benchmarks are in the repository's README."
)
