"""Authority feeds (CPSC, FDA, EU Safety Gate) and matching their records to the catalogue."""
