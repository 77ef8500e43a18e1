using System.Runtime.CompilerServices;
using SelectBench.Common;
using SelectBench.Curation.Generators;
using SelectBench.Encoders.Text;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Embedding;

namespace SelectBench.Curation;

/// <summary>
/// Everything a strategy may draw on: the label set, the target size N, a seed, named image sets
/// (baseline/expert reservoir, pools, eval sets), named crowd annotations and generators, an embedding
/// provider, a nearest-neighbour search factory, the cost model and a progress callback.
/// Strategies read inputs only through <see cref="RequireSet"/> and friends, so a missing input is an
/// error that names it.
/// </summary>
public sealed class CurationContext
{
    private readonly Func<ImageSet, Embeddings> _embed;
    // Keyed by reference: a strategy and its post-steps embed the same pool once per run.
    private readonly ConditionalWeakTable<ImageSet, Embeddings> _embeddingCache = new();

    public LabelSet Labels { get; }
    public int TargetSize { get; }
    public long Seed { get; }
    public IReadOnlyDictionary<string, ImageSet> Sets { get; }
    public IReadOnlyDictionary<string, CrowdAnnotations> Crowds { get; }
    public IReadOnlyDictionary<string, IImageGenerator> Generators { get; }
    public Func<Embeddings, INearestNeighbourSearch> SearchFactory { get; }
    public CostModel Costs { get; }
    /// <summary>Called with (stage, done, total).</summary>
    public Action<string, long, long> Progress { get; }

    public CurationContext(
        LabelSet labels, int targetSize, long seed,
        IReadOnlyDictionary<string, ImageSet> sets,
        Func<ImageSet, Embeddings> embed,
        Func<Embeddings, INearestNeighbourSearch> searchFactory,
        CostModel? costs = null,
        IReadOnlyDictionary<string, CrowdAnnotations>? crowds = null,
        IReadOnlyDictionary<string, IImageGenerator>? generators = null,
        Action<string, long, long>? progress = null,
        ITextEncoder? textEncoder = null)
    {
        SettingRules.Positive("curation", "target_size", targetSize);
        if (targetSize < labels.Count)
            throw new SelectBenchException($"curation.target_size: {targetSize} is smaller than the {labels.Count} classes; give at least one image per class.");
        Labels = labels;
        TargetSize = targetSize;
        Seed = seed;
        Sets = sets;
        _embed = embed;
        SearchFactory = searchFactory;
        Costs = costs ?? CostModel.Default;
        Costs.Validate("costs");
        Crowds = crowds ?? new Dictionary<string, CrowdAnnotations>();
        Generators = generators ?? new Dictionary<string, IImageGenerator>();
        Progress = progress ?? ((_, _, _) => { });
        TextEncoder = textEncoder;
    }

    /// <summary>A text tower in the image encoder's space, for class prompts; null when none is configured.</summary>
    public ITextEncoder? TextEncoder { get; }

    /// <summary>
    /// Where an <see cref="IScoringStrategy"/> keeps its scores: in a benchmark run, the output of the shift's score
    /// job; null outside a run (the strategy then uses its own cache setting).
    /// </summary>
    public string? ScoreFolder { get; init; }

    /// <summary>N/K: the per-class share of the target size, rounded down (at least 1).</summary>
    public int PerClassTarget => Math.Max(1, TargetSize / Labels.Count);

    public ImageSet RequireSet(string name, string usedAs)
    {
        if (!Sets.TryGetValue(name, out var set))
            throw new BadInputException(name, $"image set '{name}' ({usedAs}) is missing. Available sets: {Available(Sets.Keys)}.");
        if (!set.LabelSet.SameAs(Labels))
        {
            var absent = set.LabelSet.Names.Where(n => Labels.IndexOf(n) < 0).ToList();
            throw new BadInputException(name, absent.Count > 0
                ? $"image set '{name}' ({usedAs}) has classes absent from the run's label set: {string.Join(", ", absent.Take(10))}. Map or drop them first."
                : $"image set '{name}' ({usedAs}) orders or names its classes differently from the run's label set; relabel it to the run's label set.");
        }
        return set;
    }

    /// <summary>A named set whose labels are not used (e.g. an eval set for leakage checks): any label set.</summary>
    public ImageSet RequireAnySet(string name, string usedAs) =>
        Sets.TryGetValue(name, out var set) ? set
            : throw new BadInputException(name, $"image set '{name}' ({usedAs}) is missing. Available sets: {Available(Sets.Keys)}.");

    public CrowdAnnotations RequireCrowd(string name)
    {
        if (!Crowds.TryGetValue(name, out var crowd))
            throw new BadInputException(name, $"crowd annotations '{name}' are missing. Available: {Available(Crowds.Keys)}.");
        return crowd;
    }

    public IImageGenerator RequireGenerator(string? name)
    {
        if (name is null or "")
        {
            if (Generators.Count == 1) return Generators.Values.Single();
            throw new SelectBenchException($"synthetic.generator: name the generator to use; available: {Available(Generators.Keys)}.");
        }
        if (!Generators.TryGetValue(name, out var g))
            throw new BadInputException(name, $"generator '{name}' is missing. Available: {Available(Generators.Keys)}.");
        return g;
    }

    /// <summary>Embeddings of a set from the run's encoder, computed once per set object.</summary>
    public Embeddings Embed(ImageSet set) => _embeddingCache.GetValue(set, s =>
    {
        var e = _embed(s);
        if (e.Count != s.Count)
            throw new SelectBenchException($"The encoder returned {e.Count} embeddings for {s.Count} images.");
        return e;
    });

    /// <summary>A deterministic random source for one named use, derived from the run seed.</summary>
    public Random RandomFor(string purpose) => SeededRandom.For(Seed, purpose);

    private static string Available(IEnumerable<string> names)
    {
        var list = names.OrderBy(n => n, StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
