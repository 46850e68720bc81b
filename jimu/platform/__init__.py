"""Platform: app factory, settings, database, auth, organisation, apps registry, web UI, CLI."""
