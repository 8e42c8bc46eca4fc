"""API schemas every router shares."""

from ninja import Schema


class ProblemOut(Schema):
    """A refusal a person can read: what is wrong, the article that says so, and the field at fault."""

    message: str
    article: str = ""
    field: str | None = None
