# 2026년 11월 28일, as Korean official documents write a date, also where the page is dense.
DATE_FORMAT = "Y년 n월 j일"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y년 n월 j일"
SHORT_DATETIME_FORMAT = "Y년 n월 j일 H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday, as Korean calendars print it
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
