"""The HTTP edge: target resolution, the Assistants API client and the apply engine it drives."""
