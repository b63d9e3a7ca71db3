"""medasr.correction."""
