"""Media tests: real aiortc peers on loopback inside one process."""
