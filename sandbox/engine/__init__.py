"""The workflow engine: definitions as data, one door for every state change."""
