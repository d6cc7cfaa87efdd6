"""Ingest: read messages from sources (IMAP, Maildir, mbox, a folder of .eml) into the store."""
