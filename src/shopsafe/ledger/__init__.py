"""The order ledger: who bought what, from whom, and where it went."""
