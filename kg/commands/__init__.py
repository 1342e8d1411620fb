"""One module per command; each owns its click command and calls one library function."""
