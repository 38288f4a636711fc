"""The one exception the importer raises for a document it cannot read."""


class DocumentError(Exception):
    """A file that cannot be read as a plan; the message is in Vietnamese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
