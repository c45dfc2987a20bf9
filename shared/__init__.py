"""The kernel every service imports: domain model, event bus, settings, logging, HTTP errors."""
