"""The synthetic demo marketplace and its bundled real CPSC recall products."""
