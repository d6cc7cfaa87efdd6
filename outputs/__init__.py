"""Outputs: status rules, then report.csv, messages.csv, report.xlsx and report.html."""
