"""Test harness: a real Asterisk 22 in a Debian sid chroot, SIPp phones and an AMI probe."""
