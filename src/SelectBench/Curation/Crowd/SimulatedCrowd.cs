using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Crowd;

/// <summary>How annotators of a SIMULATED crowd name one true class: source-taxonomy names with weights.</summary>
public sealed record ClassNaming(string TargetClass, IReadOnlyList<(string Name, double Weight)> Names);

/// <summary>
/// The source taxonomy of a simulated crowd. Names used for several classes (coarse names such as
/// "footwear") get one mapping row per class, i.e. conflicting rows: the mapping reports them as
/// ambiguous and drops them. <see cref="UnmappableNames"/> get a "none" row.
/// <see cref="SimilarGroups"/> are classes annotators confuse with each other.
/// </summary>
public sealed record CrowdTaxonomyDefinition(
    IReadOnlyList<ClassNaming> Classes,
    IReadOnlyList<string> UnmappableNames,
    IReadOnlyList<string[]> SimilarGroups)
{
    /// <summary>
    /// An OpenImages-like naming of Fashion-MNIST's classes: finer names ("t-shirt"/"tank top",
    /// "sneaker"/"running shoe", "coat"/"jacket"), a coarse ambiguous name ("footwear" for sandals,
    /// sneakers and boots) and an unmappable one ("accessory" for some bags). Similar groups follow the
    /// classes that Fashion-MNIST classifiers confuse most: upper-body garments, and footwear.
    /// </summary>
    public static CrowdTaxonomyDefinition FashionMnist { get; } = new(
        [
            new("T-shirt/top", [("t-shirt", 0.6), ("tank top", 0.4)]),
            new("Trouser", [("trousers", 0.7), ("jeans", 0.3)]),
            new("Pullover", [("sweater", 1.0)]),
            new("Dress", [("dress", 1.0)]),
            new("Coat", [("coat", 0.6), ("jacket", 0.4)]),
            new("Sandal", [("sandal", 0.85), ("footwear", 0.15)]),
            new("Shirt", [("shirt", 1.0)]),
            new("Sneaker", [("sneaker", 0.55), ("running shoe", 0.3), ("footwear", 0.15)]),
            new("Bag", [("handbag", 0.5), ("backpack", 0.3), ("accessory", 0.2)]),
            new("Ankle boot", [("boot", 0.85), ("footwear", 0.15)]),
        ],
        ["accessory"],
        [["T-shirt/top", "Shirt", "Pullover", "Coat"], ["Sneaker", "Sandal", "Ankle boot"]]);

    /// <summary>Distinct source names in first-use order.</summary>
    public IReadOnlyList<string> SourceTaxonomy() => Classes.SelectMany(c => c.Names.Select(n => n.Name)).Distinct().ToList();

    /// <summary>The mapping table: one row per (name, class using it); "none" for unmappable names.</summary>
    public IReadOnlyList<SchemaMappingRow> MappingTable()
    {
        var rows = new List<SchemaMappingRow>();
        foreach (var name in SourceTaxonomy())
        {
            if (UnmappableNames.Contains(name)) { rows.Add(new SchemaMappingRow(name, null)); continue; }
            foreach (var c in Classes.Where(c => c.Names.Any(n => n.Name == name)))
                rows.Add(new SchemaMappingRow(name, c.TargetClass));
        }
        return rows;
    }
}

/// <param name="Images">Images drawn from the labelled set (fewer if it runs out).</param>
/// <param name="ZipfExponent">Class weights 1/rank^s over a seeded random ranking of classes (long tail as in OpenImages).</param>
/// <param name="Workers">Simulated annotators.</param>
/// <param name="VotesPerImage">Distinct workers per image.</param>
/// <param name="MinReliability">Lowest per-worker probability of naming the true class.</param>
/// <param name="MaxReliability">Highest such probability; each worker's is uniform in between.</param>
/// <param name="SimilarShare">Share of a worker's errors that go to visually similar classes.</param>
public sealed record CrowdSimulationSettings(
    int Images = 5000,
    double ZipfExponent = 1.0,
    int Workers = 30,
    int VotesPerImage = 3,
    double MinReliability = 0.55,
    double MaxReliability = 0.95,
    double SimilarShare = 0.85)
{
    public void Validate(string where)
    {
        SettingRules.Positive(where, "images", Images);
        SettingRules.NonNegative(where, "zipf_exponent", ZipfExponent);
        SettingRules.Positive(where, "workers", Workers);
        SettingRules.Positive(where, "votes_per_image", VotesPerImage);
        if (VotesPerImage > Workers)
            throw new SelectBenchException($"{where}.votes_per_image: {VotesPerImage} is not allowed; it must be at most workers ({Workers}).");
        SettingRules.InRange(where, "min_reliability", MinReliability, 0, 1);
        SettingRules.InRange(where, "max_reliability", MaxReliability, MinReliability, 1);
        SettingRules.InRange(where, "similar_share", SimilarShare, 0, 1);
    }
}

/// <summary>
/// A SIMULATION of a crowd-labelled web source, for the FashionMNIST++ world (docs/world.md): draws a
/// long-tailed sample from a labelled set, and has simulated workers vote in another taxonomy. Each
/// worker names the true class with its reliability r, and otherwise a wrong class, mostly a visually
/// similar one (per-worker random weights within the similar group); the chosen class is then named with
/// one of its source names. Every image and vote it produces is marked as simulated.
/// </summary>
public static class SimulatedCrowd
{
    /// <param name="WorkerConfusion">Per worker, the K x K true-class confusion matrix the votes were drawn from.</param>
    public sealed record Result(CrowdAnnotations Annotations, string[] WorkerIds, double[] Reliability, double[][] WorkerConfusion, int[] ClassCounts);

    public static Result Simulate(ImageSet labelled, CrowdTaxonomyDefinition taxonomy, CrowdSimulationSettings settings, long seed)
    {
        settings.Validate("crowd_simulation");
        var labels = labelled.LabelSet;
        int k = labels.Count;
        var namingOf = new ClassNaming[k];
        foreach (var naming in taxonomy.Classes)
            namingOf[labels.Require(naming.TargetClass, "crowd taxonomy")] = naming;
        for (int c = 0; c < k; c++)
            if (namingOf[c] == null) throw new BadInputException("crowd taxonomy", $"class '{labels.Names[c]}' has no source names; give it at least one.");
        var groups = taxonomy.SimilarGroups.Select(g => g.Select(n => labels.Require(n, "crowd taxonomy similar group")).ToArray()).ToList();

        // Long-tailed source: Zipf weights over a seeded ranking of the classes.
        var random = SeededRandom.For(seed, "simulated-crowd/source");
        var rank = Enumerable.Range(0, k).ToArray();
        SeededRandom.Shuffle(random, rank);
        var weights = new double[k];
        for (int r = 0; r < k; r++) weights[rank[r]] = 1.0 / Math.Pow(r + 1, settings.ZipfExponent);
        double total = weights.Sum();
        var byClass = ClassBalanced.ShuffledByClass(labelled.Labels, k, random);
        var counts = Enumerable.Range(0, k).Select(c => Math.Min(byClass[c].Count, (int)Math.Round(settings.Images * weights[c] / total))).ToArray();
        var picked = Enumerable.Range(0, k).SelectMany(c => byClass[c].Take(counts[c])).ToList();
        SeededRandom.Shuffle(random, picked);

        var workerRandom = SeededRandom.For(seed, "simulated-crowd/workers");
        var workerIds = Enumerable.Range(0, settings.Workers).Select(w => $"sim-worker-{w:D3}").ToArray();
        var reliability = workerIds.Select(_ => settings.MinReliability + (settings.MaxReliability - settings.MinReliability) * workerRandom.NextDouble()).ToArray();
        var confusion = reliability.Select(r => WorkerConfusion(k, r, groups, settings.SimilarShare, workerRandom)).ToArray();

        var voteRandom = SeededRandom.For(seed, "simulated-crowd/votes");
        var images = labelled.Select(picked);
        var provenance = new SampleProvenance[picked.Count];
        var votes = new List<CrowdVote>(picked.Count * settings.VotesPerImage);
        var workerOrder = Enumerable.Range(0, settings.Workers).ToArray();
        for (int n = 0; n < picked.Count; n++)
        {
            int i = picked[n];
            int truth = labelled.Labels[i];
            int hidden = ShiftAssembly.TrueLabelOf(labelled, i);
            provenance[n] = new SampleProvenance(
                Source: "simulated-crowd-source", SourceId: labelled.Ids[i],
                TrueLabel: hidden == SampleProvenance.UnknownLabel ? truth : hidden, Simulated: true,
                Note: $"SIMULATION: long-tailed crowd source (Zipf s={settings.ZipfExponent}), true label hidden for audit");
            // A partial shuffle picks distinct workers for this image.
            for (int v = 0; v < settings.VotesPerImage; v++)
            {
                int j = v + voteRandom.Next(settings.Workers - v);
                (workerOrder[v], workerOrder[j]) = (workerOrder[j], workerOrder[v]);
                int w = workerOrder[v];
                int said = Draw(confusion[w].AsSpan(truth * k, k), voteRandom);
                var naming = namingOf[said].Names;
                int name = Draw(naming.Select(x => x.Weight).ToArray(), voteRandom);
                votes.Add(new CrowdVote(labelled.Ids[i], workerIds[w], naming[name].Name));
            }
        }
        var annotations = new CrowdAnnotations(
            images.WithProvenance(provenance), taxonomy.SourceTaxonomy(), taxonomy.MappingTable(), votes, Simulated: true,
            Description: $"SIMULATED crowd ({settings.Workers} workers, {settings.VotesPerImage} votes per image, reliability {settings.MinReliability}-{settings.MaxReliability})");
        return new Result(annotations, workerIds, reliability, confusion, counts);
    }

    /// <summary>
    /// Row-stochastic K x K matrix: r on the diagonal; the rest (1 - r) spread over the class's similar group
    /// (share <paramref name="similarShare"/>, random per-worker weights) and uniformly over other classes.
    /// </summary>
    public static double[] WorkerConfusion(int k, double reliability, IReadOnlyList<int[]> groups, double similarShare, Random random)
    {
        var m = new double[k * k];
        for (int j = 0; j < k; j++)
        {
            var similar = groups.Where(g => g.Contains(j)).SelectMany(g => g).Where(c => c != j).Distinct().ToArray();
            var others = Enumerable.Range(0, k).Where(c => c != j && !similar.Contains(c)).ToArray();
            double error = 1 - reliability;
            double toSimilar = similar.Length == 0 ? 0 : others.Length == 0 ? error : error * similarShare;
            m[j * k + j] = reliability;
            if (similar.Length > 0)
            {
                var w = similar.Select(_ => 0.5 + random.NextDouble()).ToArray();
                double sum = w.Sum();
                for (int s = 0; s < similar.Length; s++) m[j * k + similar[s]] += toSimilar * w[s] / sum;
            }
            foreach (var o in others) m[j * k + o] += (error - toSimilar) / others.Length;
        }
        return m;
    }

    private static int Draw(ReadOnlySpan<double> probabilities, Random random)
    {
        double total = 0;
        foreach (var p in probabilities) total += p;
        double u = random.NextDouble() * total;
        for (int i = 0; i < probabilities.Length; i++)
        {
            u -= probabilities[i];
            if (u < 0) return i;
        }
        return probabilities.Length - 1;
    }
}
