"""Venue adapters: one package per venue, each implementing shared.domain.VenueAdapter."""
