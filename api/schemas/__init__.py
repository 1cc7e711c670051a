"""marshmallow schemas for every request and response."""
