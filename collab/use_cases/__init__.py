"""Use cases of the application service, grouped by aggregate; combined in collab.application."""
