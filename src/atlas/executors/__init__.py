"""Executors run scheduled jobs: the ``Executor`` protocol and its local implementation.

``atlas.executors.base`` holds the contract (``Allocation``, ``LaunchSpec``, ``Handle``,
``Outcome``, ``Executor``); ``atlas.executors.local`` the ``LocalExecutor``. This package
imports nothing itself, so the launcher process (``python -m atlas.executors.launcher``)
starts fast.
"""
