"""Scripts measured in an interpreter of their own, speaking ``protocol.py``'s line protocol.

``mlflow_*.py`` run with the peer's Python (bench/.peers/mlflow); ``atlas_sdk.py`` runs with
Atlas's own venv, so both sides pay the same process and pipe costs.
"""
