"""Report engine: report and dashboard specs compiled to SQL."""
