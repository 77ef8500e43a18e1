namespace SelectBench.Evaluation.Metrics;

/// <summary>
/// The image order <see cref="InceptionScore"/> splits in: the rows sorted into a canonical order (by their
/// probabilities, lexicographically), then shuffled as torch-fidelity shuffles before splitting
/// (toshas/torch-fidelity, torch_fidelity/metric_isc.py, isc_features_to_metric(splits=10, shuffle=True,
/// rng_seed=2020): <c>feature[np.random.RandomState(2020).permutation(N)]</c>).
/// The shuffle alone stops class-sorted storage from making every split one class; the sort first makes the
/// result independent of the input order altogether, so permuting the images leaves the score bit-identical
/// (torch-fidelity's value still moves with the order, because a different order puts other images together).
/// On rows already in canonical order the two agree.
/// </summary>
internal static class InceptionScoreShuffle
{
    /// <summary>torch-fidelity's default rng_seed.</summary>
    public const uint Seed = 2020;

    /// <summary>Row indices in the order to split in.</summary>
    public static int[] Order(float[] probabilities, int count, int classes)
    {
        var canonical = Enumerable.Range(0, count).ToArray();
        Array.Sort(canonical, (a, b) => CompareRows(probabilities, a, b, classes));
        int[] permutation = NumpyLegacyPermutation(count, Seed);
        var order = new int[count];
        for (int k = 0; k < count; k++) order[k] = canonical[permutation[k]];
        return order;
    }

    // Rows that compare equal hold the same values, so their relative order cannot change the score.
    private static int CompareRows(float[] p, int a, int b, int classes)
    {
        for (int c = 0; c < classes; c++)
        {
            int cmp = p[a * classes + c].CompareTo(p[b * classes + c]);
            if (cmp != 0) return cmp;
        }
        return 0;
    }

    /// <summary>
    /// numpy.random.RandomState(seed).permutation(n): MT19937 seeded by init_genrand (numpy's
    /// mt19937_seed for an integer seed), then the legacy Fisher-Yates of _shuffle_raw, which for
    /// i = n - 1 .. 1 swaps x[i] with x[random_interval(i)]; random_interval masks 32-bit draws to the
    /// smallest all-ones mask ≥ i and rejects values above i (numpy/random/src/distributions/distributions.c).
    /// </summary>
    internal static int[] NumpyLegacyPermutation(int n, uint seed)
    {
        var x = Enumerable.Range(0, n).ToArray();
        var mt = new MersenneTwister(seed);
        for (int i = n - 1; i >= 1; i--)
        {
            uint max = (uint)i, mask = max;
            mask |= mask >> 1;
            mask |= mask >> 2;
            mask |= mask >> 4;
            mask |= mask >> 8;
            mask |= mask >> 16;
            uint j;
            while ((j = mt.NextUInt32() & mask) > max) { }
            (x[i], x[(int)j]) = (x[(int)j], x[i]);
        }
        return x;
    }

    /// <summary>MT19937 (Matsumoto and Nishimura 1998), genrand_int32 with init_genrand seeding.</summary>
    private sealed class MersenneTwister
    {
        private const int N = 624, M = 397;
        private readonly uint[] _state = new uint[N];
        private int _index = N;

        public MersenneTwister(uint seed)
        {
            _state[0] = seed;
            for (int i = 1; i < N; i++)
                _state[i] = unchecked(1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i);
        }

        public uint NextUInt32()
        {
            if (_index >= N) Twist();
            uint y = _state[_index++];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            return y;
        }

        private void Twist()
        {
            for (int i = 0; i < N; i++)
            {
                uint y = (_state[i] & 0x80000000u) | (_state[(i + 1) % N] & 0x7fffffffu);
                _state[i] = _state[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            _index = 0;
        }
    }
}
