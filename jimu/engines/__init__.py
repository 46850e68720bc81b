"""Shared runtime used by every engine: errors, messages, expressions, events and jobs."""
