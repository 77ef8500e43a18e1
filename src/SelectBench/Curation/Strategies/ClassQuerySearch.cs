using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">Set searched; its labels are ignored.</param>
/// <param name="Queries">"prototypes" (few-shot class prototypes) or "text" (the context's text encoder on class prompts).</param>
/// <param name="PrototypeSet">Labelled set the prototypes are drawn from.</param>
/// <param name="Shots">Labelled examples per class averaged into a prototype (m).</param>
/// <param name="PromptTemplate">Class prompt for "text"; {class} is replaced by the class name.</param>
/// <param name="Threshold">Minimum cosine similarity of a pool image to its best class.</param>
/// <param name="Margin">Minimum gap between the best and the runner-up class similarity.</param>
/// <param name="PerClassCap">Images per class at most; null = N/K.</param>
public sealed record ClassQuerySearchSettings(
    string Pool = "pool",
    string Queries = "prototypes",
    string PrototypeSet = "baseline",
    int Shots = 10,
    string PromptTemplate = "a photo of a {class}.",
    double Threshold = 0.5,
    double Margin = 0.05,
    int? PerClassCap = null) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "pool", Pool);
        SettingRules.OneOf(where, "queries", Queries, "prototypes", "text");
        SettingRules.NotEmpty(where, "prototype_set", PrototypeSet);
        SettingRules.Positive(where, "shots", Shots);
        if (!PromptTemplate.Contains("{class}", StringComparison.Ordinal))
            throw new SelectBenchException($"{where}.prompt_template: '{PromptTemplate}' is not allowed; it must contain {{class}}.");
        SettingRules.InRange(where, "threshold", Threshold, -1, 1);
        SettingRules.InRange(where, "margin", Margin, 0, 2);
        if (PerClassCap is { } cap) SettingRules.Positive(where, "per_class_cap", cap);
    }
}

/// <summary>
/// The LA1000 (txt2img) analogue, LAIONet-style: one query vector per class; a pool image is kept for
/// its best class when that similarity is at least the threshold and beats the runner-up class by the
/// margin; each class keeps its most similar images up to the cap. There is NO floor: a class with few
/// confident matches stays small, so the shift may be imbalanced and smaller than N, as in the paper
/// (LAIONet keeps captions naming one class with CLIP text similarity above 0.5; Shirali and Hardt 2023).
/// </summary>
[Registered("class-query-search", Settings = typeof(ClassQuerySearchSettings),
    Description = "LA1000 txt2img analogue: one query per class (prototype or text); pool images above a threshold and margin")]
public sealed class ClassQuerySearch(ClassQuerySearchSettings settings) : IShiftStrategy
{
    public string Name => "class-query-search";
    public ClassQuerySearchSettings Settings { get; } = settings;

    /// <summary>A pool image's best class, its similarity and the runner-up similarity.</summary>
    public readonly record struct ClassMatch(int PoolIndex, int Class, float Best, float RunnerUp);

    public Shift Build(CurationContext context)
    {
        var s = Settings;
        var pool = context.RequireSet(s.Pool, "class-query-search pool");
        int k = context.Labels.Count;
        if (k < 2) throw new SelectBenchException("class-query-search needs at least two classes (the margin compares the best class with the runner-up).");
        int cap = s.PerClassCap ?? context.PerClassTarget;

        var (classVectors, queryIds, overhead) = s.Queries == "text" ? TextQueries(context) : PrototypeQueries(context);
        context.Progress("class-query-search: embed pool", 0, 1);
        var poolEmb = context.Embed(pool).Normalised();
        context.Progress("class-query-search: embed pool", 1, 1);
        if (poolEmb.Dimension != classVectors.Dimension)
            throw new SelectBenchException($"class-query-search: class queries have {classVectors.Dimension} dimensions but pool embeddings {poolEmb.Dimension}; the text encoder must match the image encoder.");

        var matches = Match(poolEmb, classVectors);
        var kept = Select(matches, k, s.Threshold, s.Margin, cap);

        var costs = context.Costs;
        var images = pool.Select(kept.Select(m => m.PoolIndex).ToList()).WithLabels(kept.Select(m => m.Class).ToArray());
        var provenance = kept.Select(m => new SampleProvenance(
            Source: $"pool:{s.Pool}", SourceId: pool.Ids[m.PoolIndex], QueryId: queryIds[m.Class],
            Similarity: m.Best, TrueLabel: ShiftAssembly.TrueLabelOf(pool, m.PoolIndex),
            Cost: costs.Embedding, Note: $"runner-up similarity {m.RunnerUp.ToString("0.####", CultureInfo.InvariantCulture)}")).ToArray();
        overhead += (pool.Count - kept.Count) * costs.Embedding + k * costs.SearchQueryDollars;

        int passed = matches.Count(m => m.Best >= (float)s.Threshold && m.Best - m.RunnerUp >= (float)s.Margin);
        var notes = new List<string>
        {
            $"{k} class queries ({s.Queries}) over '{s.Pool}' ({pool.Count} images): {matches.Count(m => m.Best >= (float)s.Threshold)} pass threshold {Show(s.Threshold)}, {passed} also pass margin {Show(s.Margin)}; cap {cap} per class, no floor.",
        };
        var warnings = new List<string>();
        var counts = images.ClassCounts();
        var small = Enumerable.Range(0, k).Where(c => counts[c] < cap).Select(c => $"{context.Labels.Names[c]} ({counts[c]})").ToList();
        if (small.Count > 0) warnings.Add($"classes under the cap of {cap} (no floor, by design): {string.Join(", ", small)}.");
        return ShiftAssembly.Create(Name, context, images, provenance, overhead, notes, warnings);
    }

    /// <summary>Best and runner-up class similarity of every pool image (unit rows in, cosine out).</summary>
    public static ClassMatch[] Match(Embeddings unitPool, Embeddings unitClasses)
    {
        var sims = EmbeddingMath.CosineMatrix(unitPool, unitClasses);
        int k = unitClasses.Count;
        var matches = new ClassMatch[unitPool.Count];
        for (int i = 0; i < unitPool.Count; i++)
        {
            int best = 0;
            float bestSim = float.NegativeInfinity, second = float.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                float v = sims[(long)i * k + c];
                if (v > bestSim) { second = bestSim; bestSim = v; best = c; }
                else if (v > second) second = v;
            }
            matches[i] = new ClassMatch(i, best, bestSim, second);
        }
        return matches;
    }

    /// <summary>
    /// The kept matches: threshold and margin, then per class the most similar first (ties: lower pool
    /// index first) up to the cap. Pure function, no floor.
    /// </summary>
    public static List<ClassMatch> Select(IReadOnlyList<ClassMatch> matches, int classCount, double threshold, double margin, int cap)
    {
        // Similarities are float32: compare in float32 so a threshold of 0.9 admits a similarity of 0.9f.
        float t = (float)threshold, g = (float)margin;
        var kept = new List<ClassMatch>();
        foreach (var group in matches.Where(m => m.Best >= t && m.Best - m.RunnerUp >= g)
                                     .GroupBy(m => m.Class).OrderBy(g => g.Key))
            kept.AddRange(group.OrderByDescending(m => m.Best).ThenBy(m => m.PoolIndex).Take(cap));
        return kept;
    }

    private (Embeddings Vectors, string[] QueryIds, double Overhead) PrototypeQueries(CurationContext context)
    {
        var s = Settings;
        var set = context.RequireSet(s.PrototypeSet, "class-query-search prototypes");
        var byClass = ClassBalanced.ShuffledByClass(set.Labels, context.Labels.Count, context.RandomFor("class-query-search/prototypes"));
        for (int c = 0; c < byClass.Length; c++)
            if (byClass[c].Count == 0)
                throw new BadInputException(s.PrototypeSet, $"class '{context.Labels.Names[c]}' has no images to build a prototype from.");
        var shots = byClass.Select(l => l.Take(s.Shots).ToList()).ToArray();
        var all = shots.SelectMany(x => x).ToList();
        var emb = context.Embed(set.Select(all)).Normalised();
        var data = new float[byClass.Length * emb.Dimension];
        int at = 0;
        for (int c = 0; c < shots.Length; c++)
        {
            var rows = Enumerable.Range(at, shots[c].Count).ToList();
            at += shots[c].Count;
            EmbeddingMath.NormalisedMean(emb, rows).CopyTo(data, c * emb.Dimension);
        }
        var ids = Enumerable.Range(0, byClass.Length).Select(c => $"prototype:{context.Labels.Names[c]}:{shots[c].Count}-shot").ToArray();
        // Each shot needs an expert label and an embedding.
        double overhead = all.Count * (context.Costs.ExpertLabel + context.Costs.Embedding);
        return (new Embeddings(data, byClass.Length, emb.Dimension), ids, overhead);
    }

    private (Embeddings Vectors, string[] QueryIds, double Overhead) TextQueries(CurationContext context)
    {
        var encoder = context.TextEncoder ?? throw new SelectBenchException(
            "class-query-search.queries: 'text' needs a text encoder in the same space as the image encoder; none is configured. Set the curation encoder to a CLIP pair (encoder: { kind: clip, clip: { image, text, vocab, merges } }) or use queries: prototypes.");
        var prompts = context.Labels.Names.Select(n => Settings.PromptTemplate.Replace("{class}", n, StringComparison.Ordinal)).ToArray();
        var emb = encoder.Encode(prompts).Normalised();
        return (emb, prompts.Select(p => $"text:{p}").ToArray(), 0);
    }

    private static string Show(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
