"""Local servers that speak real wire protocols for the tests (and demos): Ideogram's API, a metrics exporter."""
