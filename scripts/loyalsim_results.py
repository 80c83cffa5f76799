"""Helpers shared by the plot scripts for reading loyalsim results files.

The scripts import it from their own folder (Python puts a script's folder
first on sys.path), so it needs no installation.
"""


def as_text(value):
    """An HDF5 string (attribute or element) as str, whatever h5py returns."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "shape") and getattr(value, "shape", None) == ():
        return as_text(value[()])
    return str(value)


def t_quantile(df):
    """97.5% quantile of Student's t with df degrees of freedom (for 95% intervals).

    scipy is used when it is installed; otherwise a table for df <= 30 and a
    close approximation beyond.
    """
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df <= len(table):
            return table[df - 1]
        return 1.96 + 2.4 / df  # close to the exact value beyond 30
