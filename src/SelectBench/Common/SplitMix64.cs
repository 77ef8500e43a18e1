namespace SelectBench.Common;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014; constants from http://xoshiro.di.unimi.it/splitmix64.c): a tiny,
/// fully specified generator, so seeded results never change with the runtime.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state += Seeds.Golden;
        return Seeds.Finalise(_state);
    }

    /// <summary>Uniform in [0, bound) by rejection (no modulo bias).</summary>
    public ulong NextBelow(ulong bound)
    {
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return x % bound;
    }
}
