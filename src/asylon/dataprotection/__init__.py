"""Protecting personal data at rest: field encryption, keys per office, blind indexes."""
