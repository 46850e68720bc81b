"""Form engine: field types, form specs, physical tables and the records service."""
