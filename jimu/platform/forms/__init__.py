"""Endpoints for forms: drafts, the publish plan, publishing and versions."""
