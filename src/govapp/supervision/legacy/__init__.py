"""The 6-month deadline for legacy apps: the register, its Excel import and export, reminders."""
