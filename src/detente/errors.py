"""User-facing errors: one clear line, no traceback."""


class DetenteError(Exception):
    """An error caused by input or usage, reported to the user as one line."""


class InputError(DetenteError):
    """A document or file could not be read."""


# Errors of the installation, not of a document: they stop the run instead of failing every
# document (and recording each as failed with its content, so that none would be tried again).
FATAL = (ImportError,)
