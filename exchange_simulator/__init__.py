"""The offline venue: real wire protocols backed by an in-memory matching engine."""
