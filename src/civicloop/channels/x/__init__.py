"""X (Twitter) Account Activity: CRC, signature, posts mentioning the agency and direct messages."""
