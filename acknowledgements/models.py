"""Deliveries, acknowledgements and implementation reports (built in the acknowledgements issue)."""
