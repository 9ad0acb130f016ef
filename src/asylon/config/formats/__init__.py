"""Dates and numbers as officers of each language write them (FORMAT_MODULE_PATH).

Only what differs from Django's own format for the language is set here; the rest is Django's.
Times use the 24-hour clock in every language: an interview at 9:30 is not to be read as 21:30.
"""
