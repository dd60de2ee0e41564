"""Streamlit widgets shared by the pages. The only part of nnkit that imports streamlit."""
