"""Brushing-ring detection over the ledger, and its evaluation by injection (issue 9)."""
