"""The JSON API: endpoints, request parameters, the OpenAPI description, autocomplete."""
