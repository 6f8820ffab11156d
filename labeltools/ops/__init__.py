"""Pure array and table operations: arrays and tables in, arrays and numbers out, no I/O."""
