"""Rules as data: the YAML rule and signature files of this directory, and the code that applies them.

``schema`` loads and validates the files, ``ruleset`` is the loaded set (the readers' Interest, the
evaluation), ``evaluate`` holds the detectors and their scoring, ``endpoints`` the network
endpoints found in texts, ``caseless`` the fast case-insensitive unions. README.md here describes
the file format.
"""
