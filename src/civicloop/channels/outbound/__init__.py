"""The outbound path: replies and posts validated and stored as rows (``service``), checked by the
registered before-send hooks (``hooks``; the guidelines gate), sent exactly once by a job (``send``,
``tasks``) through each platform's sender, and exposed over the JSON API (``routes``)."""
