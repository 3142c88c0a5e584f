"""Intake and matching: a new person's first questionnaires, concerns and preferences, and the
ranked clinicians who could take them, each with the reasons."""
