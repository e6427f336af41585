"""Blueprints, one per audience: portal, admin, superadmin, plus sign-in."""
