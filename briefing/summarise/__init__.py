"""Summarisers: one interface (`execute(request) -> Draft`), several backends."""
