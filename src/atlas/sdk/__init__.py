"""The Atlas SDK: tracking from Python, the REST ``Client``, the offline spool, submission.

The public names are those of the ``atlas`` package (``import atlas``); this package holds
their modules and imports none of them itself, so loading one module (``atlas.sdk.client`` in
the CLI, say) never loads the others.
"""
