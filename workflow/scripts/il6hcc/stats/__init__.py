"""Statistical tests that reproduce R's results (see tests/r/ for the reference scripts)."""
