"""CSV import: feedback gathered outside the platforms (surveys, letters, public meetings).

Owns: reading a CSV file (encoding, delimiter, column mapping), rejecting bad rows with their line
numbers and reasons, and storing good rows through ``channels.service.record_inbound`` exactly once.
Must not: commit (the CLI commits in batches) or guess at rows it cannot read.
"""
