"""Facebook Pages and Messenger: webhook handshake, signature, feed and messaging events."""
