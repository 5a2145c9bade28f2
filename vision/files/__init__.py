"""Every file format, each with its reader and writer: landmarks, events, report,
session (session.json), calibration, video; recording (a session's folder)."""
