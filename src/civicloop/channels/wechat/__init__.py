"""WeChat Official Accounts: URL verification, signatures, safe-mode decryption, messages and events."""
