"""What every module shares: errors, the colormap, the class table, cell text and types."""
