"""Phòng họp số — the web server: state, permissions, REST and Socket.IO."""

__version__ = "0.1.0"
