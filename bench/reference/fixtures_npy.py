"""Writes the NPY fixtures of test/data/vectorFile.test.ts with NumPy (run: /usr/bin/python3 bench/reference/fixtures_npy.py)."""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'npy')
os.makedirs(out, exist_ok=True)
x = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4
np.save(os.path.join(out, 'f32.npy'), x)
with open(os.path.join(out, 'f32_v2.npy'), 'wb') as f:
    np.lib.format.write_array(f, x, version=(2, 0))
np.save(os.path.join(out, 'f64.npy'), x.astype(np.float64))
np.save(os.path.join(out, 'f32_1d.npy'), x.ravel())
np.save(os.path.join(out, 'f32_fortran.npy'), np.asfortranarray(x))
