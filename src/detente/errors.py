"""User-facing errors: one clear line, no traceback."""


class DetenteError(Exception):
    """An error caused by input or usage, reported to the user as one line."""


class InputError(DetenteError):
    """A document or file could not be read."""
