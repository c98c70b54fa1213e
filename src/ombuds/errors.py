"""The one exception type the command line turns into a clear message (never a traceback)."""


class OmbudsError(Exception):
    """A problem the user can act on; its message says what and where."""


def not_a_file(path, inputs: str = "files", example: str = "folder/*.csv") -> str | None:
    """Why `path` (a pathlib.Path) cannot be read as an input file, or None when it is a regular file."""
    if path.is_dir():
        return f"a folder, not a file: name the {inputs} in it (for example {example})"
    if path.is_file():
        return None
    if path.exists():
        return "not a regular file (a device, a pipe or a socket): save the data to a file and name that"
    return "no such file"
