"""Pages of the questionnaires: `respondent` (public, by code) and `school` (the cabinet)."""
