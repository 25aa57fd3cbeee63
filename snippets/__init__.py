"""Reference implementations, experiments, figures and values behind the question pages."""
