"""Saved list views of a form: columns, sort and filter, personal or shared."""
