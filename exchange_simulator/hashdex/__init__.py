"""Hashdex dialect of the simulator: iNAV and portfolio composition of the B3-listed crypto ETFs."""
