"""`make bench`: speed figures on the real ONS data, each beside anchors timed in the same run."""
