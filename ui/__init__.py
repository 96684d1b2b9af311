"""Shared Streamlit pieces: page registry, auth guard, cached data access, charts."""
