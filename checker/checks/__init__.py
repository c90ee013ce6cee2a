"""Checks implemented in Python: `base.py` (context, outcome, the two protocols), `static/` (run by `check` on
the repository) and `live/` (run by `preflight` against endpoints). semgrep and secrets checks have no module
here: their rules live in checker/rules/ and checker/detectors/."""
