"""The `briefing` command: one module per command, each registering its commands on the Typer
app of `main.py`. Heavy imports happen inside commands, so `briefing --help` stays fast."""

from __future__ import annotations

from . import archive, check, doctor, eval, prompts, run, schedule, send, topics  # noqa: F401
from .main import app, main

__all__ = ["app", "main"]
