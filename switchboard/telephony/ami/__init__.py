"""The Asterisk Manager Interface: a pure protocol layer and an asyncio client on top of it."""
