"""medasr.ui."""
