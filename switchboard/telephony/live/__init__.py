"""The live model of a PBX: built from AMI list actions, kept current by AMI events."""
