"""Drawing, apart from logic: overlay (annotators for the live picture and the
annotated video), diagrams (step drawings, the coverage map)."""
