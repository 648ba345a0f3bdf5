"""Telephony: AMI and ARI clients, PBX connections, the live model of each PBX, live pages."""
