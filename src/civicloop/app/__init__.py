"""The application layer's registries (every model, every job module) and the job workers.

They sit above the domains because they import them all; the kernel reaches them only by name
(``jobs.load_all``) or through the app (``migrations``, the CLI), so nothing below depends on them.
"""
