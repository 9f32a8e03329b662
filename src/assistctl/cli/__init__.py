"""The command line: the click entry point (main), one module per command, the error handler."""
