"""Synthetic demo data: no real person, generated from a seed."""
