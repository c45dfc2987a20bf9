"""HTTP entrypoints of the order service: one blueprint per resource."""
