"""Media citizens send: images, videos, voice notes and files attached to comments and messages.

Owns: the ``media_files`` records (platform ids, source URL, SHA-256, size, proven content type, where the
bytes are kept) and the job that downloads each attachment right after its message is stored, before the
platform's link expires; the bytes are kept under their SHA-256 in the data folder.
Must not: trust the platform's or the sender's claim of what a file is (the bytes are sniffed, as uploads
are) or keep anything past the size limit.
"""
