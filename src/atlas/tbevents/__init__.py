"""TensorBoard event files, read without TensorFlow: their scalars become Atlas metrics.

- :mod:`~atlas.tbevents.checksums`, :mod:`~atlas.tbevents.records`: the record framing and
  its masked CRC32C checks;
- :mod:`~atlas.tbevents.messages`: the protobuf messages, decoded by hand;
- :mod:`~atlas.tbevents.scalars`, :mod:`~atlas.tbevents.eventfile`: scalars (and histograms)
  of a file read incrementally, so a growing file is tailed;
- :mod:`~atlas.tbevents.logdir`: runs and metric keys;
- :mod:`~atlas.tbevents.live`: a running job's event files sent as its metrics (run by the
  job's launcher); :mod:`~atlas.tbevents.importer`: ``atlas import tensorboard``.

This package sits at the SDK's level (it sends through the SDK's ``Client``); numpy is
imported only when a file is read, so importing it keeps ``import atlas`` light.
See docs/tensorboard.md.
"""

from __future__ import annotations

from atlas.tbevents.eventfile import EventFile, is_event_file
from atlas.tbevents.logdir import find_event_files, runs_of
from atlas.tbevents.messages import Event, Histogram, Image, Tensor, Value
from atlas.tbevents.scalars import Scalars, ScalarSeries

__all__ = [
    "Event",
    "EventFile",
    "Histogram",
    "Image",
    "ScalarSeries",
    "Scalars",
    "Tensor",
    "Value",
    "find_event_files",
    "is_event_file",
    "runs_of",
]
