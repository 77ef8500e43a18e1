namespace SelectBench.Common;

/// <summary>
/// Every seed SelectBench derives from a user's seed, in one place. Each derivation keeps the constant it has
/// always used, because changing one changes which images, initial weights or corruptions a seed gives, and
/// with them every published number (docs/architecture.md#seeds). The mixing function is one: the SplitMix64
/// finaliser (Steele, Lea, Flood 2014; the constants of java.util.SplittableRandom and
/// http://xoshiro.di.unimi.it/splitmix64.c), which turns nearby inputs into unrelated 64-bit values.
/// </summary>
public static class Seeds
{
    /// <summary>SplitMix64's increment, 2^64 / golden ratio.</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    private const ulong StreamMultiplier = 0xBF58476D1CE4E5B9UL;

    /// <summary>The SplitMix64 finaliser: a bijection of 64-bit values with good avalanche.</summary>
    public static ulong Finalise(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A seed for item <paramref name="index"/> of stream <paramref name="stream"/> under <paramref name="seed"/>; <paramref name="salt"/> separates uses.</summary>
    public static ulong Mix(long seed, long stream, long index, ulong salt) =>
        Finalise(unchecked((ulong)seed * Golden + (ulong)stream * StreamMultiplier + (ulong)index + salt));

    /// <summary>The trainer's init, order and augment generators (docs/training.md): drawing more from one never shifts the others.</summary>
    public static ulong TrainingStream(int seed, int stream) => Mix(seed, stream, 0, 0x94D049BB133111EBUL);

    /// <summary>
    /// The parallel loader's streams (docs/training.md "The parallel loader"): epoch e's sample order (position -1)
    /// and the crop and flip of the sample at position p of epoch e, so neither depends on thread count or timing.
    /// </summary>
    public static ulong LoaderSample(int seed, int epoch, long position) => Mix(seed, epoch, position, 0x2545F4914F6CDD1DUL);

    /// <summary>One generated image's own seed (curation generators): an image can be regenerated alone, in any batch order.</summary>
    public static long GeneratedSample(long seed, long stream, long index) =>
        unchecked((long)(Mix(seed, stream, index, 0x632BE59BD9B4E5F5UL) & 0x7FFF_FFFF_FFFF_FFFFUL));

    /// <summary>One corrupted image's generator seed: a chain of finalisers over (corruption, severity, image index).</summary>
    public static ulong CorruptedImage(long seed, int corruptionIndex, int severity, long imageIndex)
    {
        ulong h = (ulong)seed;
        h = Finalise(h ^ Golden * (ulong)(corruptionIndex + 1));
        h = Finalise(h ^ 0xC2B2AE3D27D4EB4FUL * (ulong)severity);
        return Finalise(h ^ 0x165667B19E3779F9UL * (ulong)(imageIndex + 1));
    }

    /// <summary>The stratified splitter's per-class generators (a SplitMix64 state; stream -1 orders classes, -2 offsets them).</summary>
    public static ulong SplitterStream(int seed, int stream) => ((ulong)(uint)seed << 32) ^ (uint)stream ^ 0x5EEDC0DE00000000UL;

    /// <summary>The System.Random seed that picks a stratified fraction of a shift (the exchange-rate models).</summary>
    public static int FractionSample(long seed) => (int)(seed ^ 0x5F3759DF);

    /// <summary>The generator that initialises a transfer head.</summary>
    public static ulong TransferHead(long seed) => (ulong)(seed * 7919 + 17);

    /// <summary>
    /// A seed for a named purpose ("expert", "synthetic/prompts", ...): FNV-1a over the purpose, mixed with the
    /// seed, so it is stable across processes and .NET versions (string.GetHashCode is randomised per process).
    /// </summary>
    public static int ForPurpose(long seed, string purpose)
    {
        ulong h = 14695981039346656037UL ^ (ulong)seed;
        foreach (char c in purpose) { h ^= c; h *= 1099511628211UL; }
        h ^= h >> 33;
        return unchecked((int)(h ^ (h >> 32))) & int.MaxValue;
    }
}
