"""The built-in service plugins; each registers through the `helpdesk` entry-point group."""
