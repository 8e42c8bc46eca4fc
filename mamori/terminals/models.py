"""Models of terminals."""
