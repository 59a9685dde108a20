"""Meetings and the room: the meeting itself, agenda, attendance and quorum, the floor, closing."""
