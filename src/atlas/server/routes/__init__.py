"""The API's routes, one module per noun. Routes parse, call the store or a service, and
return a wire model from ``atlas.server.schemas``; they hold no logic."""
