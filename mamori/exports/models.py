"""Models of exports."""
