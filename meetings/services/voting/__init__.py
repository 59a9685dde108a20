"""Voting: poll settings, ballots, tallies and majorities, the audit chain, exports."""
