"""Flow engine: approval flow specs, running instances and tasks."""
