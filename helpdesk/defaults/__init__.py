"""Core behaviour written as plugins (registered from helpdesk.plugins.DEFAULT_PLUGINS)."""
