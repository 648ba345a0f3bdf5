"""Switchboard: a web portal that runs Asterisk telephone systems and contact centers."""
