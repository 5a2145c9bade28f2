"""The bottom layer: our own types and pure geometry, no heavy imports.

hands (landmarks, a hand's observation, contact points), backframe
(calibration, homography, zones), types (events, verdicts, tracks, frame
results), folders (where the files live).
"""
