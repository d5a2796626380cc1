"""Placeholder: replaced by the bots implementation."""


def serve() -> None:
    raise NotImplementedError


def slack() -> None:
    raise NotImplementedError
