"""Organisation: users, departments (a tree) and roles."""
