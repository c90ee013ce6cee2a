"""ideogram-prod: make shipping an Ideogram image-API integration to production safe."""

__version__ = "0.1.0"
