"""The stages a frame goes through before judging: detection (MediaPipe, only here),
tracking (stable hand identities), smoothing (One Euro), strokes (online
segmentation), checks (the camera set-up)."""
