"""One module per on-disk format, read and/or write, one file at a time."""
