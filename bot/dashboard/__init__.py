"""Staff dashboard (issue #6): reports per unit and period, alerts, unanswered questions, exports and
QR posters. `exports` and `posters` are pure modules (no web framework) that the pages call."""
