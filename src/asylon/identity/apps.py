from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Possible duplicates: the review queue, merge and un-merge, and the import of lists."""

    name = "asylon.identity"
