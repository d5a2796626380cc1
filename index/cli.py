"""Placeholder: replaced by the index implementation."""


def ingest() -> None:
    raise NotImplementedError


def search() -> None:
    raise NotImplementedError


def docs() -> None:
    raise NotImplementedError
