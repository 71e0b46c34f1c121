"""Plain helpers with no models and no Django app state."""
