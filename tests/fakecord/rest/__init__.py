"""fakecord's REST API: plumbing (http), handlers by resource, the route table (routes)."""
