"""Small shared helpers: domain errors with their HTTP status, the clock, OpenAPI helpers."""
