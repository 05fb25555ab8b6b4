"""The web pages: HTML shells and the bundle `make web` builds from `web/` into `static/`."""
