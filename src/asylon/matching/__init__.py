"""Finding the same person across scripts and spellings: readings, dates, places, scores."""
