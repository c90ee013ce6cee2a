"""Output formats: each is a pure function from a Report to a string; the CLI decides where it goes."""
