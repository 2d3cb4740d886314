"""Atlas benchmarks: each module answers one speed question against a peer (MLflow).

Run them all with ``make bench`` (``python -m bench``) or one with ``make bench ONLY=name``.
The method is /work/shared/BENCH.md's: the peer is installed into its own environment under
``bench/.peers/``, measured in the same invocation on the same data, alternating with ours
(A B A B ...), after a warm-up and over at least five repetitions. Each run writes
``bench/results/<name>.json`` and prints a one-line summary. Benchmarks are not tests.
"""
