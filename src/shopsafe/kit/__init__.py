"""Small shared helpers: errors, clock, ids, pagination."""
