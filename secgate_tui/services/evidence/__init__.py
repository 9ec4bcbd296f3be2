"""The release's evidence bundle: one archive an auditor re-evaluates offline.

``layout`` names the files, ``archive`` writes and safely reads the archive,
``gather`` collects a release's evidence from the store, ``check`` reproduces
the verdict and re-digests the records from the bundle alone.
"""
