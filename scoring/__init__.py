"""Rapport's scoring domain: interactions, rubric, cue detectors and the scorer.

Pure Python: nothing here imports Streamlit or SQLAlchemy. The scorer's hot modules may run
compiled (scoring.native) when a build of this very source exists.
"""

from scoring.native import activate as _activate

_activate(__path__)
