"""medasr.synth."""
