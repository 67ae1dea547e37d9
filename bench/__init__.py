"""`make bench`: performance figures on a throwaway database (never db.sqlite3)."""
