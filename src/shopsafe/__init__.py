"""Shopsafe: the safety back office for online shops and marketplaces."""

__version__ = "0.1.0"
