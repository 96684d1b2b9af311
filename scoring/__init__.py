"""Rapport's scoring domain: interactions, rubric, cue detectors and the scorer.

Pure Python: nothing here imports Streamlit or SQLAlchemy.
"""
