"""The bundled card fonts, installed as the package data `syndicate.fonts` (see README.md here)."""
