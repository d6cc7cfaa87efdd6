"""The office's workspace: a web application over the application layer (see web/app.py)."""
