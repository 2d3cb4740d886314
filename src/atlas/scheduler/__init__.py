"""The scheduler: queue policy, resources (CPU slots, memory, GPUs by index), dispatch through
an executor, and reconciliation after a restart. See ``atlas.scheduler.scheduler``."""
