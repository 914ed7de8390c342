"""Small shared helpers: domain errors with their HTTP status, the clock, OpenAPI helpers,
checks of input (text, limits, JSON bodies) and the refusal of what slips past them."""
