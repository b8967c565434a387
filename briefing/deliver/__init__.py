"""Delivery: email (SMTP), the static archive, and the daily scheduler. All I/O."""
