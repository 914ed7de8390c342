"""Recalls and safety warnings: notice content, matching against the ledger, stop-sale."""
