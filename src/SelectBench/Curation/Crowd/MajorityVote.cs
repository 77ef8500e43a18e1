namespace SelectBench.Curation.Crowd;

/// <summary>
/// Plurality vote per item. Ties are broken uniformly at random by a seeded source (tie_break "random")
/// or the item gets no label (tie_break "drop"). Worker accuracy is estimated as agreement with the
/// decided labels.
/// </summary>
public static class MajorityVote
{
    public const int NoDecision = -1;

    public static AggregatedLabels Aggregate(VoteTable votes, bool dropTies, Random random)
    {
        votes.Validate();
        int k = votes.ClassCount;
        var counts = votes.CountsPerItem();
        var labels = new int[votes.ItemCount];
        int ties = 0;
        var best = new List<int>(k);
        for (int i = 0; i < votes.ItemCount; i++)
        {
            var row = counts.AsSpan(i * k, k);
            int max = 0;
            foreach (var c in row) max = Math.Max(max, c);
            best.Clear();
            for (int c = 0; c < k; c++) if (max > 0 && row[c] == max) best.Add(c);
            if (best.Count == 0) labels[i] = NoDecision;
            else if (best.Count == 1) labels[i] = best[0];
            else { ties++; labels[i] = dropTies ? NoDecision : best[random.Next(best.Count)]; }
        }
        return new AggregatedLabels(labels, AgreementWith(votes, labels), "majority",
            $"{ties} tied items {(dropTies ? "dropped" : "broken at random (seeded)")}");
    }

    /// <summary>Share of each worker's votes that agree with the given labels (items without a label skipped).</summary>
    public static double[] AgreementWith(VoteTable votes, int[] labels)
    {
        var agree = new double[votes.WorkerCount];
        var total = new double[votes.WorkerCount];
        for (int v = 0; v < votes.VoteCount; v++)
        {
            int l = labels[votes.Item[v]];
            if (l < 0) continue;
            total[votes.Worker[v]]++;
            if (l == votes.Label[v]) agree[votes.Worker[v]]++;
        }
        return agree.Select((a, w) => total[w] > 0 ? a / total[w] : double.NaN).ToArray();
    }
}
