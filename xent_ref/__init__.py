"""xent_ref: every standard loss is a cross-entropy.

A small NumPy reference implementation of the information measures, the
losses built on them and the distributions they are negative log-likelihoods
of. Each function reads next to its formula, and the tests check its
float64 results against mpmath, to the bounds stated in the docstrings
and on the site's "Accuracy and speed" page.

``xent_ref.__version__`` is the version of the installed distribution
``xent-ref``, read from its metadata; imported from a source checkout that
is not installed, it is ``"0+unknown"`` (a PEP 440 local version that sorts
below every release).
"""

from importlib.metadata import PackageNotFoundError, version

from xent_ref import distributions, grad, unification
from xent_ref._classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    sigmoid_focal_loss,
    softmax_cross_entropy,
)
from xent_ref._information import cross_entropy, entropy, kl_divergence
from xent_ref._primitives import (
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
)
from xent_ref._regression import (
    gaussian_nll_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    poisson_nll_loss,
)
from xent_ref._scoring import (
    brier_score,
    calibration_curve,
    expected_calibration_error,
)

try:
    __version__: str = version("xent-ref")
except PackageNotFoundError:
    __version__ = "0+unknown"

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "brier_score",
    "calibration_curve",
    "cross_entropy",
    "distributions",
    "entropy",
    "expected_calibration_error",
    "gaussian_nll_loss",
    "grad",
    "hinge_loss",
    "huber_loss",
    "kl_divergence",
    "l1_loss",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "mse_loss",
    "poisson_nll_loss",
    "sigmoid",
    "sigmoid_focal_loss",
    "softmax",
    "softmax_cross_entropy",
    "unification",
]
