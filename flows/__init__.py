"""Prefect flows: wiring only, over the plain functions of the other packages."""
