"""Remedy cases, refunds and the ledger of money, return logistics, seller webhooks."""
