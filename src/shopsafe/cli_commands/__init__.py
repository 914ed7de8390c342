"""Subcommands of `shopsafe`, one module per group."""
