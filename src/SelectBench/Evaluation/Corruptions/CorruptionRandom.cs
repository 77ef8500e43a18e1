using SelectBench.Common;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// The random source of one corruption call: xoshiro256** seeded through SplitMix64. Our own generator
/// (not System.Random) so that a seed gives the same corrupted set on every .NET version, and so that
/// the normal and Poisson draws the references take from numpy are available without allocation.
/// Not thread-safe: the batch API gives every image its own instance (see <see cref="ForImage"/>).
/// </summary>
public sealed class CorruptionRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    public CorruptionRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// The generator for one image of a batch: its seed is a hash of (seed, corruption, severity, image
    /// index), so the output does not depend on which thread handles which image, nor on batch order.
    /// </summary>
    public static CorruptionRandom ForImage(long seed, int corruptionIndex, int severity, long imageIndex) =>
        new(Seeds.CorruptedImage(seed, corruptionIndex, severity, imageIndex));

    private static ulong SplitMix64(ref ulong x)
    {
        x += Seeds.Golden;
        return Seeds.Finalise(x);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [low, high), as numpy's <c>np.random.uniform(low, high)</c>.</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Integer on [low, highExclusive), as numpy's <c>np.random.randint(low, high)</c>.</summary>
    public int NextInt(int low, int highExclusive)
    {
        ulong range = (ulong)(highExclusive - low);
        // Lemire's multiply-shift: unbiased enough for ranges this small (bias < 2^-58).
        return low + (int)(((UInt128)NextUInt64() * range) >> 64);
    }

    /// <summary>Standard normal draw (Marsaglia's polar method; draws come in pairs).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        _hasSpareNormal = true;
        return u * f;
    }

    /// <summary>
    /// Poisson draw with mean <paramref name="lambda"/>, as <c>np.random.poisson</c>. The references use
    /// lambda = x * c with c &lt;= 60, so inversion by sequential search (O(lambda)) is cheap and exact.
    /// </summary>
    public int NextPoisson(double lambda)
    {
        if (lambda <= 0) return 0;
        double u = NextDouble();
        double p = Math.Exp(-lambda);
        double cdf = p;
        int k = 0;
        while (u > cdf)
        {
            k++;
            p *= lambda / k;
            cdf += p;
            if (p < 1e-300 && k > lambda) break; // tail beyond double precision
        }
        return k;
    }
}
