"""medasr.vocab."""
