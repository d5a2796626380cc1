"""Placeholder: replaced by the evals implementation."""

import typer

eval_app = typer.Typer()
users_app = typer.Typer()
