"""The rules of the procedure, in pure Python.

Nothing here imports Django. The web UI, the API and the command line ask these
functions what is allowed; none of them re-implements a rule.
"""
