"""Asylon: individualized refugee status determination that cannot be turned into a removal."""

__version__ = "0.1.0"
