"""Market data service: venue feeds normalised onto Redis channels, with a last-value cache."""
