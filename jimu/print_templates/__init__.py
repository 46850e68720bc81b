"""Print templates: sandboxed rendering to HTML, PDF and Word."""
