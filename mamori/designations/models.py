"""Models of designations."""
