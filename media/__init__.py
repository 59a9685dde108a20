"""Media node: an asyncio + aiortc SFU that forwards encoded RTP frames (``python -m media``)."""
