namespace SelectBench.Common;

/// <summary>Seeded random sources that do not depend on process-randomised string hashes.</summary>
public static class SeededRandom
{
    public static Random For(long seed, string purpose) => new(Seeds.ForPurpose(seed, purpose));

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public static void Shuffle<T>(Random random, IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
