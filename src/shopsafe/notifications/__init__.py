"""Personal notices and their deliveries (the outbox the worker sends)."""
