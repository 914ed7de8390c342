"""The audit log: every state change that matters to a regulator or a customer."""
