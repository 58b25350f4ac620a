"""Errors a user can fix."""


class UsageError(Exception):
    """A problem with what the user asked for, reported as one line with exit code 2."""
