"""Jimu (积木): a no-code / low-code app builder."""

__version__ = "0.1.0"
