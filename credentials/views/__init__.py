"""The credentials pages: machine-readable documents, public verification, the
learner's own credentials. Split by audience; each module keeps views thin."""
