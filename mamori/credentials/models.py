"""Models of credentials."""
