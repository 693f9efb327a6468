"""Social media records: the retention schedule, legal holds, disposal and records-request exports."""
