"""Stroke Coach vision: tracking, geometry and smoothing of the giver's hands."""
