"""CivicLoop: government agencies listening to citizens on social media."""

__version__ = "0.1.0"
