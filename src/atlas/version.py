"""The installed Atlas version (kept here so `import atlas` never reads package metadata)."""

__version__ = "0.1.0"
