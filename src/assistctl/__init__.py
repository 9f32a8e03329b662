"""assistctl: keep OpenAI-compatible Assistants as code."""

__version__ = "0.1.0"
