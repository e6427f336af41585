"""WTForms classes of the core pages (Flask-WTF adds CSRF to each)."""
