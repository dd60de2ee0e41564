"""Home page: the course map. Imports neither torch nor scikit-learn."""

import streamlit as st

from nnkit.ui.course import LECTURES
from nnkit.ui.router import ensure_router

ensure_router()
st.title("nnkit Lab")
st.markdown(
    "An interactive companion to a three-lecture course on how neural networks really "
    "work. Every page runs real code from **nnkit**, the small library behind this app, "
    "which you can also `import` in a notebook. Each number on a page comes with its "
    "reference: the exact derivative, torch's gradient, a baseline model, a reference "
    "solution."
)

for number, lecture in enumerate(LECTURES, start=1):
    with st.container(border=True):
        st.subheader(lecture.title)
        st.markdown(lecture.abstract)
        for page in lecture.pages:
            # The link holds the title only: a link label is one line and long
            # summaries would be cut off mid-sentence.
            st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
            st.caption(page.summary)
        if not lecture.pages:
            st.caption(f"The pages of lecture {number} are not part of this version of the app yet.")

st.caption(
    "Run it yourself: `pip install -r requirements.txt && streamlit run app.py`. "
    "Source, tests and benchmarks are in the repository's README."
)
