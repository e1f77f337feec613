"""Numba's ``njit``, for every compiled function of channelsim: import it from here.

Importing this module first makes Numba's check for a BLAS without loading ``scipy.linalg``.
Numba's first compilation, or first load of a cached function, imports
``numba.np.arraymath``, which checks that a BLAS is present by importing
``scipy.linalg.cython_blas`` — and so, through the package, all of ``scipy.linalg`` and the
array-API layer it pulls in (NumPy's ``f2py`` and ``testing`` among them): about 0.15 s of
CPU and 12–16 MiB, an eighth of a one-year ``channelsim run``, for a module no channelsim kernel
uses. Here the BLAS module is loaded by itself, ``numba.np.arraymath`` is imported (Numba
finds the module, makes the same check — its Fortran integer width, from
``scipy.__config__`` — and reaches the same answer, so compiled code is unchanged), and the
module is then taken out of ``sys.modules`` again: a later ``import scipy.linalg`` loads the
package as usual, with the same BLAS module (Cython keeps one module object per process).
If SciPy is laid out differently, or ``scipy.linalg`` or Numba's check is loaded already,
nothing is done here and Numba imports what it imports.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

BLAS_MODULE = "scipy.linalg.cython_blas"


def check_blas_alone() -> bool:
    """Numba's BLAS check made with ``scipy.linalg.cython_blas`` loaded without
    ``scipy.linalg``; True if this call made it."""
    if {BLAS_MODULE, "scipy.linalg", "numba.np.arraymath"} & sys.modules.keys():
        return False
    try:
        import scipy

        folders = [os.path.join(folder, "linalg") for folder in scipy.__path__]
        spec = importlib.machinery.PathFinder.find_spec(BLAS_MODULE, folders)
        if spec is None or spec.loader is None:
            return False
        module = importlib.util.module_from_spec(spec)
        sys.modules[BLAS_MODULE] = module
        spec.loader.exec_module(module)
        import numba.np.arraymath  # noqa: F401  (the check, made now)
    except Exception:  # any surprise: leave it to Numba's own import
        return False
    finally:
        sys.modules.pop(BLAS_MODULE, None)
    return True


check_blas_alone()

from numba import njit  # noqa: E402  (after the check, on purpose)

__all__ = ["check_blas_alone", "njit"]
