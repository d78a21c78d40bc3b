"""planwatch core: the shared data model, named errors and small text/vocabulary helpers."""
