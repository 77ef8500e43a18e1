namespace SelectBench.Curation.Crowd;

/// <summary>
/// Crowd votes as flat arrays: vote v says worker <c>Worker[v]</c> gave item <c>Item[v]</c> class <c>Label[v]</c>
/// (0..ClassCount-1). The numeric input of every aggregator.
/// </summary>
public sealed record VoteTable(int ItemCount, int WorkerCount, int ClassCount, int[] Item, int[] Worker, int[] Label)
{
    public int VoteCount => Item.Length;

    /// <summary>Votes per item and class: ItemCount x ClassCount.</summary>
    public int[] CountsPerItem()
    {
        var counts = new int[ItemCount * ClassCount];
        for (int v = 0; v < VoteCount; v++) counts[Item[v] * ClassCount + Label[v]]++;
        return counts;
    }

    public void Validate()
    {
        if (Worker.Length != Item.Length || Label.Length != Item.Length)
            throw new ArgumentException("vote arrays differ in length");
        for (int v = 0; v < VoteCount; v++)
            if ((uint)Item[v] >= (uint)ItemCount || (uint)Worker[v] >= (uint)WorkerCount || (uint)Label[v] >= (uint)ClassCount)
                throw new ArgumentException($"vote {v} is out of range");
    }
}

/// <summary>The outcome of an aggregator: a label per item (-1 = no decision) and per-worker accuracy estimates.</summary>
public sealed record AggregatedLabels(int[] Labels, double[] WorkerAccuracy, string Method, string Details);
