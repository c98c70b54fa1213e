"""The one exception type the command line turns into a clear message (never a traceback)."""


class OmbudsError(Exception):
    """A problem the user can act on; its message says what and where."""
