"""The clerks' web page: submissions and their status, findings and scores, downloads, upload, the receiving
office's summary. Server-rendered (Starlette and Jinja2), plain HTML forms, no JavaScript; Bangla first,
English beneath. `create_app` wires the views (generator.web.views) over a shared desk (generator.web.desk)."""

from generator.web.app import create_app
from generator.web.texts import MB

__all__ = ["MB", "create_app"]
