"""Keel's offline stand-in for the parts of the `kfp` package that running a component needs.

KFP's lightweight Python components pip-install `kfp` before they run; Keel runs them offline
with this package instead. It implements the executor contract (inputs, outputs and the
executor output file) and the `kfp.dsl` names component code imports.
"""

__version__ = "2.14.3"

from kfp import dsl  # noqa: E402,F401
