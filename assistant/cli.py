"""Placeholder: replaced by the assistant implementation."""


def ask() -> None:
    raise NotImplementedError
