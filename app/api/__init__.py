"""HTTP surface: routers per resource, problem+json rendering, middleware and dependencies."""
