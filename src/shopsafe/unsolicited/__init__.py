"""Unsolicited packages: reports, cases, delivery blocks and ranking adjustments."""
