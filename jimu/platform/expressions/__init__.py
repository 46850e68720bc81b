"""Endpoints that let the designers check formulas and list the function library."""
