"""Reports for people who do not open the app: a student's PDF (:mod:`vision.reports.pdf`), its charts drawn
with matplotlib (:mod:`vision.reports.charts`), and the words and colours the app's charts share
(:mod:`vision.reports.style`). No Streamlit, no browser."""
