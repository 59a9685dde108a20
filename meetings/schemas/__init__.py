"""Pydantic payload schemas shared by Socket.IO commands, REST routes and services."""
