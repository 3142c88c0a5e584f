"""mindbridge: blended-care mental-health platform."""
