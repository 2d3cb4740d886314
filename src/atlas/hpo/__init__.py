"""Hyperparameter sweeps (docs/sweeps.md): the spec, Optuna's samplers and pruners over our
rows, and the controller that runs each sweep's trials as jobs through the scheduler."""
