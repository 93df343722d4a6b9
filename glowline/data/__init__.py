"""The data: sources (the Glowmarkt client), credentials, readings and days, tariffs, the store, and the sync
that fills it."""
