"""How jobs run and where their bytes live: the executor and the storage layer."""
