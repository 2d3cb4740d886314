"""Per-job Python environments: a uv virtual environment per requirements.txt, cached by the
hash of the requirements and the interpreter, able to ``import atlas`` offline."""

from __future__ import annotations

from atlas.envs.builder import EnvBuilder, PythonEnv, env_key

__all__ = ["EnvBuilder", "PythonEnv", "env_key"]
