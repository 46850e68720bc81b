"""Authentication: passwords, login sessions, personal API tokens, login throttling."""
