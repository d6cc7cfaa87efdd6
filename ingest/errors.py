"""Errors of the ingest stage: a source that cannot be read, a store that cannot be written."""


class SourceError(Exception):
    """A source could not be polled (exit status 1). The message names the source and why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StorageError(Exception):
    """The store could not be written: the run stops before touching sync state (exit 1)."""
