"""Services: sync, evaluation, authorization, review; the layer the CLI and UI call."""
