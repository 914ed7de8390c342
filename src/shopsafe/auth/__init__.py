"""Who is asking: API tokens, accounts, sessions and signed links."""
