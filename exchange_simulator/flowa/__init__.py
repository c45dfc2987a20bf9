"""The Flowa (ATG order API for B3) dialect of the simulator: OAuth2 tokens, simple orders, trades, websockets."""
