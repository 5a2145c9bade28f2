"""The session library: who practised which routine, when, for how long, how well.

- :mod:`~vision.library.models`: the tables (SQLAlchemy 2), people, classes,
  recordings, analyses, teachers' references;
- :mod:`~vision.library.db`: where the library is (an SQLite file in the data
  folder, or ``STROKE_COACH_DB``), opening it, migrating it (Alembic), and the
  plain message for a file that is not ours or is damaged;
- :mod:`~vision.library.index`: the recordings on disk into the library
  (indexing, import, rebuild): the recording folders stay the truth;
- :mod:`~vision.library.history`: a student's and a class's progress as tables
  for the History page.
"""
