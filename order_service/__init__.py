"""Order service: validates, routes and tracks orders on their venues."""
