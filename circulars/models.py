"""Incoming dispatches and the district's own circulars (built in the circulars issue)."""
