"""The investigation workbench: command line, Streamlit pages and UI helpers."""
