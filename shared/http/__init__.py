"""HTTP helpers shared by the Flask services."""
