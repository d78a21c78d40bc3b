"""The `planwatch` command line: thin commands over library calls."""
