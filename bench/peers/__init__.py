"""Scripts measured in an interpreter of their own, speaking ``protocol.py``'s line protocol.

``mlflow_*.py`` run with the peer's Python (bench/.peers/mlflow) and ``ray_jobs.py`` with Ray's
(bench/.peers/ray); ``atlas_sdk.py`` and ``atlas_jobs.py`` run with Atlas's own venv, so both
sides pay the same process and pipe costs. ``jobclock.py`` is shared by the scheduling ones.
"""
