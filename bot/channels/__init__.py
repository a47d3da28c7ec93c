"""Rasa input channels of the assistant. Imported by the Rasa server (Python 3.10 environment), so
modules here may import only rasa and sanic."""
